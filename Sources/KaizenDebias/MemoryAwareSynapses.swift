/// Hyper-parameters of the MAS baseline (Aljundi et al., "Memory Aware Synapses", ECCV 2018): fine-tuning
/// with the penalty λ Σ_i Ω_i (θ_i − θ*_i)².
public struct MASConfiguration: Sendable, Equatable, Codable {
    /// λ_MAS (spec grid value 1; Ω is a mean over images, so λ sets the penalty's scale directly).
    public var strength: Float = 1
    /// Images per gradient when estimating Ω. 1 is the paper's per-sample formula; larger batches use
    /// |∇ mean_b ‖F(x)‖²| per batch, a cheaper lower bound (|mean of gradients| ≤ mean of |gradients|).
    public var importanceBatchSize = 1
    /// Optimiser, schedule and trained parameters of the underlying fine-tuning.
    public var fineTuning = FineTuningConfiguration()

    public init(strength: Float = 1, importanceBatchSize: Int = 1, fineTuning: FineTuningConfiguration = FineTuningConfiguration()) {
        self.strength = strength
        self.importanceBatchSize = importanceBatchSize
        self.fineTuning = fineTuning
    }
}

/// MAS importances (Aljundi et al., ECCV 2018): Ω_i = (1/N) Σ_k |∂‖F(x_k; θ*)‖²₂ / ∂θ_i| over unlabeled
/// inputs x_k, F being the logit vector. Always >= 0.
public enum MemoryAwareSynapses {
    /// Ω for every trainable parameter of `model` (eval mode; the parameters are not changed, their
    /// gradients are cleared). With `batchSize` b > 1 each term is |∇ (1/b) Σ_batch ‖F(x)‖²| weighted by b.
    public static func importances(model: any Layer, images: Tensor, batchSize: Int = 1) throws -> [(name: String, value: Tensor)] {
        guard batchSize >= 1 else { throw KaizenError.invalidArgument(name: "importanceBatchSize", detail: "must be >= 1, got \(batchSize)") }
        guard images.rank >= 2, images.shape[0] >= 1 else {
            throw KaizenError.invalidArgument(name: "importanceImages", detail: "need at least one image, got \(Shape.describe(images.shape))")
        }
        model.eval()
        let params = model.namedParameters().filter { !$0.1.isFrozen }
        let sums = params.map { Tensor.zeros($0.1.shape) }
        let n = images.shape[0]
        var start = 0
        while start < n {
            let b = min(batchSize, n - start)
            model.zeroGrad()
            let out = try model(try images.narrowed(axis: 0, start: start, length: b).contiguous())
            let objective = try (out * out).sum() * (1 / Float(b))
            try objective.backward()
            for ((_, p), s) in zip(params, sums) {
                guard let g = p.grad?.contiguousValues() else { continue }
                let pg = g.basePointer, ps = s.basePointer, w = Float(b)
                for i in 0..<s.count { ps[i] += w * Swift.abs(pg[i]) }
            }
            start += b
        }
        model.zeroGrad()
        return zip(params, sums).map { ($0.0, $1 * (1 / Float(n))) }
    }
}

/// Where MAS gets Ω: computed from unlabeled images (the base's original training distribution), or
/// given (from `MemoryAwareSynapses.importances`, to reuse one estimate across many tuning runs).
public enum MASImportanceSource: Sendable {
    case images(Tensor)
    case precomputed([(name: String, value: Tensor)])
}
