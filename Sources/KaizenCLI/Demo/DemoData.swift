import Foundation
import Kaizen

/// Fashion-MNIST subsets and their EfficientNet-Lite0 embeddings, shared by the demo stages.
struct DemoData {
    let trainFeatures: Tensor
    let trainLabels: [Int]
    let testFeatures: Tensor
    let testLabels: [Int]
    static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    static func load(_ ctx: DemoContext) throws -> DemoData {
        let model = try EfficientNetLite0.pretrained()
        func embed(_ split: FashionMNIST.Split, count: Int) throws -> (Tensor, [Int]) {
            let data = try FashionMNIST.load(split: split)
            // A seeded, class-balanced subset keeps the demo minutes long on two cores.
            var rng = RandomGenerator(seed: ctx.seed &+ (split == .train ? 1 : 2))
            let rows = Array(rng.permutation(data.labels.count).prefix(count)).sorted()
            let labels = rows.map { data.labels[$0] }
            let name = "fmnist-\(split == .train ? "train" : "test")-\(count)-s\(ctx.imageSize)-seed\(ctx.seed)"
            let provenance = ["model": "efficientnet-lite0", "dataset": "fashion-mnist:\(split)", "rows": "\(count) seeded \(ctx.seed)",
                              "transform": "pixel/255, bilinear \(ctx.imageSize), grey->3, ImageNet normalisation"]
            let features = try ctx.cachedFeatures(name: name, provenance: provenance) {
                let images = try data.images.indexSelect(axis: 0, indices: rows)
                return try DemoData.embed(images, model: model, size: ctx.imageSize, progress: ctx.common.progress("embed \(split)"))
            }
            return (features, labels)
        }
        let (xtr, ytr) = try embed(.train, count: ctx.poolSize)
        let (xte, yte) = try embed(.test, count: ctx.testSize)
        return DemoData(trainFeatures: xtr, trainLabels: ytr, testFeatures: xte, testLabels: yte)
    }

    /// Pooled 1280-d features of grey images [N, 1, 28, 28] in [0, 1], batch by batch.
    static func embed(_ images: Tensor, model: EfficientNetLite0, size: Int, batch: Int = 64, progress: ProgressHandler?) throws -> Tensor {
        let n = images.shape[0]
        var parts: [Tensor] = []
        var start = 0
        while start < n {
            let count = Swift.min(batch, n - start)
            let x = try ImagePreparation.prepare(grey: images.narrowed(axis: 0, start: start, length: count).contiguous(), size: size)
            parts.append(try noGrad { try model.features(x) })
            start += count
            progress?(start, n)
        }
        return try Tensor.concat(parts, axis: 0)
    }
}
