import KaizenTensor
import KaizenData

/// Accuracy of a classifier on clean test images and on every corruption of the suite
/// (`Corruption`, applied to the normalised inputs through `applyNormalised`): the in-distribution
/// and out-of-distribution numbers robust fine-tuning is judged by.
public struct ShiftEvaluation: Sendable, Codable, Equatable {
    /// Top-1 accuracy on the clean images.
    public var inDistribution: Double
    /// Top-1 accuracy per corruption name.
    public var perShift: [String: Double]
    /// Severity used for every corruption.
    public var severity: Int

    /// Mean accuracy over the corruptions (the OOD number).
    public var outOfDistributionMean: Double {
        perShift.isEmpty ? 0 : perShift.values.reduce(0, +) / Double(perShift.count)
    }

    public static func evaluate(_ model: any ImageClassifier, images: Tensor, labels: [Int],
                                corruptions: [Corruption] = Corruption.allCases, severity: Int = 3,
                                seed: UInt64 = 0, batchSize: Int = 256) throws -> ShiftEvaluation {
        func accuracy(_ x: Tensor) throws -> Double {
            let p = try ClassifierInference.predictions(model, images: x, batchSize: batchSize)
            return Double(zip(p, labels).filter { $0 == $1 }.count) / Double(max(labels.count, 1))
        }
        guard images.rank == 4, images.shape[0] == labels.count else {
            throw KaizenError.shapeMismatch(op: "ShiftEvaluation", detail: "\(labels.count) labels for images \(Shape.describe(images.shape))")
        }
        var perShift: [String: Double] = [:]
        for c in corruptions {
            perShift[c.rawValue] = try accuracy(c.applyNormalised(images, severity: severity, seed: seed))
        }
        return ShiftEvaluation(inDistribution: try accuracy(images), perShift: perShift, severity: severity)
    }
}
