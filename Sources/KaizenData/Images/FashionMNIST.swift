import Foundation
import KaizenIO

/// Fashion-MNIST (Xiao et al. 2017): 28 x 28 grey images of 10 clothing classes, 60 000 for
/// training and 10 000 for testing, read from the gzip IDX files of the Debian package
/// `dataset-fashion-mnist`.
public enum FashionMNIST {
    public enum Split: String, Sendable, CaseIterable {
        case train, test
        var filePrefix: String { self == .train ? "train" : "t10k" }
    }

    public static let defaultDirectory = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")
    public static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    public static let installHint = "bash scripts/install-deps.sh  (Debian package dataset-fashion-mnist)"

    /// Images [N, 1, 28, 28] with values pixel/255 in [0, 1], and labels 0...9.
    public static func load(split: Split, directory: URL = defaultDirectory,
                            subset: LabeledImages.Subset = .all) throws -> LabeledImages {
        let imagesURL = try file(directory, "\(split.filePrefix)-images-idx3-ubyte")
        let labelsURL = try file(directory, "\(split.filePrefix)-labels-idx1-ubyte")
        let rawImages = try IDX.read(imagesURL), rawLabels = try IDX.read(labelsURL)
        guard rawImages.shape.count == 3, rawLabels.shape.count == 1, rawImages.shape[0] == rawLabels.shape[0],
              rawImages.dtype == .u8, rawLabels.dtype == .u8 else {
            throw KaizenError.io(file: imagesURL.path, location: nil,
                                 reason: "expected u8 images [N, 28, 28] and u8 labels [N], got \(Shape.describe(rawImages.shape)) and \(Shape.describe(rawLabels.shape))")
        }
        let labels = try rawLabels.int64Values().map { Int($0) }
        if let bad = labels.first(where: { $0 < 0 || $0 >= classNames.count }) {
            throw KaizenError.io(file: labelsURL.path, location: nil, reason: "label \(bad) outside 0...9")
        }
        let indices = try LabeledImages.indices(of: subset, labels: labels, classCount: classNames.count)
        let (h, w) = (rawImages.shape[1], rawImages.shape[2])
        let out = Tensor(uninitializedShape: [indices.count, 1, h, w])
        let o = out.basePointer, plane = h * w
        rawImages.bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            for (k, i) in indices.enumerated() {
                for j in 0..<plane { o[k * plane + j] = Float(bytes[i * plane + j]) / 255 }
            }
        }
        return try LabeledImages(images: out, labels: indices.map { labels[$0] }, classNames: classNames)
    }

    /// The gzip file, or the uncompressed one when only that exists.
    private static func file(_ directory: URL, _ name: String) throws -> URL {
        for candidate in [name + ".gz", name] {
            let url = directory.appendingPathComponent(candidate)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        throw KaizenError.missingAsset(name: "Fashion-MNIST (\(directory.appendingPathComponent(name + ".gz").path))", hint: installHint)
    }
}
