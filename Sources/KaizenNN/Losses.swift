/// Loss functions on model outputs (thin, named wrappers over the functional ops).
public enum Loss {
    /// Cross-entropy of logits [N, C] against class indices, with optional label smoothing.
    public static func crossEntropy(_ logits: Tensor, targets: [Int], labelSmoothing: Float = 0,
                                    reduction: Reduction = .mean) throws -> Tensor {
        try Functional.crossEntropy(logits, targets: targets, labelSmoothing: labelSmoothing, reduction: reduction)
    }

    /// Squared error (prediction - target)^2, reduced. Shapes must match exactly.
    public static func meanSquaredError(_ prediction: Tensor, _ target: Tensor, reduction: Reduction = .mean) throws -> Tensor {
        guard prediction.shape == target.shape else {
            throw KaizenError.shapeMismatch(op: "meanSquaredError", detail: "prediction \(Shape.describe(prediction.shape)) vs target \(Shape.describe(target.shape))")
        }
        let diff = try prediction - target
        let squared = try diff * diff
        switch reduction {
        case .mean: return try squared.mean()
        case .sum: return try squared.sum()
        case .none: return squared
        }
    }

    /// Fraction of rows of logits [N, C] whose arg-max equals the target (no gradient).
    public static func accuracy(_ logits: Tensor, targets: [Int]) throws -> Float {
        guard logits.rank == 2, logits.shape[0] == targets.count, !targets.isEmpty, logits.shape[1] >= 1 else {
            throw KaizenError.shapeMismatch(op: "accuracy", detail: "logits \(Shape.describe(logits.shape)) for \(targets.count) targets")
        }
        let x = logits.contiguousValues()
        let c = logits.shape[1], px = x.basePointer
        var correct = 0
        for (i, t) in targets.enumerated() {
            var best = 0
            for j in 1..<c where px[i * c + j] > px[i * c + best] { best = j }
            if best == t { correct += 1 }
        }
        return Float(correct) / Float(targets.count)
    }
}
