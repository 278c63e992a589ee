import Foundation
import Kaizen

/// Labelled images as `finetune`, `eval` and `debias` take them: a float32 `.npy` `[N, 3, H, W]`
/// (already normalised) with a label file, or built-in data prepared at a given size.
struct LabeledImageInputs {
    let images: Tensor
    /// Labels as strings (compared as strings against a model's classes).
    let labels: [String]

    var count: Int { labels.count }

    /// Reads `images` (.npy) with `labels`, or the built-in `data` (`fashion-mnist:train|test`,
    /// optionally a stratified `subset` of that many images) prepared at `size` pixels.
    static func load(images: String?, labels: String?, data: String?, size: Int, subset: Int? = nil, seed: UInt64 = 0,
                     imagesOption: String = "--images", labelsOption: String = "--labels") throws -> LabeledImageInputs {
        if let images {
            guard let labels else { throw KaizenError.invalidArgument(name: labelsOption, detail: "\(imagesOption) needs \(labelsOption) FILE (one label per line)") }
            let x = try NPY.read(URL(fileURLWithPath: images)).floatTensor()
            guard x.rank == 4, x.shape[1] == 3, x.shape[0] > 0 else {
                throw KaizenError.shapeMismatch(op: imagesOption, detail: "\(images) must hold float32 [N, 3, H, W] with N > 0, got \(Shape.describe(x.shape))")
            }
            let names = try LabelFile.read(URL(fileURLWithPath: labels))
            guard names.count == x.shape[0] else {
                throw KaizenError.shapeMismatch(op: labelsOption, detail: "\(labels) has \(names.count) labels for \(x.shape[0]) images in \(images)")
            }
            if let subset {
                let (set, encoded) = LabelSet.encode(trainLabels: names)
                let rows = try LabeledImages.indices(of: .stratified(min(subset, names.count), seed: seed), labels: encoded, classCount: set.count)
                return LabeledImageInputs(images: try x.indexSelect(axis: 0, indices: rows), labels: rows.map { names[$0] })
            }
            return LabeledImageInputs(images: x, labels: names)
        }
        guard let data else { throw KaizenError.invalidArgument(name: imagesOption, detail: "give \(imagesOption) X.npy with \(labelsOption) L, or --data fashion-mnist:train|fashion-mnist:test") }
        let split: FashionMNIST.Split
        switch data {
        case "fashion-mnist:train": split = .train
        case "fashion-mnist:test": split = .test
        default: throw KaizenError.invalidArgument(name: "--data", detail: "unknown '\(data)'; expected fashion-mnist:train or fashion-mnist:test")
        }
        let set = try FashionMNIST.load(split: split, subset: subset.map { .stratified($0, seed: seed) } ?? .all)
        let prepared = try ImagePreparation.prepare(grey: set.images, size: size)
        return LabeledImageInputs(images: prepared, labels: set.labels.map { set.classNames[$0] })
    }
}
