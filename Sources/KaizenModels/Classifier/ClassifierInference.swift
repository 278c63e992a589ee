import KaizenTensor
import KaizenNN

/// Batched prediction with a classifier in evaluation mode and without gradient recording; the
/// model's previous mode is restored afterwards.
public enum ClassifierInference {
    /// Logits `[N, C]` for images `[N, 3, H, W]`.
    public static func logits(_ model: any ImageClassifier, images: Tensor, batchSize: Int = 256) throws -> Tensor {
        try batched(images: images, batchSize: batchSize, width: model.classCount, model: model) { try model($0) }
    }

    /// Pooled features `[N, D]` before the head.
    public static func features(_ model: any ImageClassifier, images: Tensor, batchSize: Int = 256) throws -> Tensor {
        try batched(images: images, batchSize: batchSize, width: model.featureDimension, model: model) { try model.features($0) }
    }

    /// Arg-max class per image.
    public static func predictions(_ model: any ImageClassifier, images: Tensor, batchSize: Int = 256) throws -> [Int] {
        try logits(model, images: images, batchSize: batchSize).argmax(axis: 1)
    }

    private static func batched(images: Tensor, batchSize: Int, width: Int, model: any ImageClassifier,
                                _ body: (Tensor) throws -> Tensor) throws -> Tensor {
        guard images.rank == 4 else {
            throw KaizenError.shapeMismatch(op: "ClassifierInference", detail: "images must be [N, 3, H, W], got \(Shape.describe(images.shape))")
        }
        guard batchSize >= 1 else { throw KaizenError.invalidArgument(name: "batchSize", detail: "must be at least 1, got \(batchSize)") }
        let wasTraining = model.trainingMode
        model.eval()
        defer { model.train(wasTraining) }
        let n = images.shape[0]
        let out = Tensor(uninitializedShape: [n, width])
        try noGrad {
            var start = 0
            while start < n {
                let len = min(batchSize, n - start)
                let batch = try images.narrowed(axis: 0, start: start, length: len).contiguousValues()
                let y = try body(batch).contiguousValues()
                guard y.shape == [len, width] else {
                    throw KaizenError.shapeMismatch(op: "ClassifierInference", detail: "model returned \(Shape.describe(y.shape)), expected [\(len), \(width)]")
                }
                (out.basePointer + start * width).update(from: y.basePointer, count: len * width)
                start += len
            }
        }
        return out
    }
}
