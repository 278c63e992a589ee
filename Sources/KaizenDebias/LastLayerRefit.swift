import KaizenEval
import KaizenModels
/// Hyper-parameters of the DFR baseline (Kirichenko, Izmailov & Wilson, "Last Layer Re-Training is
/// Sufficient for Robustness to Spurious Correlations", ICLR 2023): the feature extractor stays
/// frozen and the head is refitted by logistic regression on a small group-balanced set. DFR uses an
/// ℓ1 penalty; this uses KaizenEval's `LinearProbe` (ℓ2, L-BFGS, penalty chosen on a stratified split).
public struct LastLayerRefitConfiguration: Sendable, Equatable, Codable {
    /// Candidate ℓ2 strengths for the probe (chosen on a held-out 20% when there is enough data).
    public var lambdas: [Double] = [1e-4, 1e-3, 1e-2, 1e-1]
    /// L-BFGS iterations.
    public var maxIterations = 300
    /// Seed of the probe's validation split.
    public var seed: UInt64 = 0
    /// Images per feature-extraction batch.
    public var batchSize = 256

    public init(lambdas: [Double] = [1e-4, 1e-3, 1e-2, 1e-1], maxIterations: Int = 300, seed: UInt64 = 0, batchSize: Int = 256) {
        self.lambdas = lambdas
        self.maxIterations = maxIterations
        self.seed = seed
        self.batchSize = batchSize
    }
}

/// DFR-style last-layer refit: the head of `model` is replaced, in place, by a probe fitted on the
/// features of the refit set. Classes absent from the set get no training rows (they keep weights near 0).
public enum LastLayerRefit {
    public static func refit(_ model: any ImageClassifier, images: Tensor, labels: [Int],
                             configuration: LastLayerRefitConfiguration = LastLayerRefitConfiguration()) throws -> DebiasRunRecord {
        let start = ContinuousClockStart()
        let head = model.head
        let classCount = head.outFeatures, d = head.inFeatures
        try TuningData.check(images: images, labels: labels, classCount: classCount)
        guard !configuration.lambdas.isEmpty else { throw KaizenError.invalidArgument(name: "lambdas", detail: "give at least one ℓ2 strength") }
        model.eval()
        let features = try noGrad { () -> Tensor in
            var parts: [Tensor] = []
            var s = 0
            while s < labels.count {
                let n = min(configuration.batchSize, labels.count - s)
                parts.append(try model.features(try images.narrowed(axis: 0, start: s, length: n).contiguous()))
                s += n
            }
            return try Tensor.concat(parts, axis: 0)
        }
        guard features.rank == 2, features.shape[1] == d else {
            throw KaizenError.shapeMismatch(op: "LastLayerRefit", detail: "features \(Shape.describe(features.shape)) for a head with \(d) inputs")
        }
        var probe = LinearProbe(seed: configuration.seed)
        probe.lambdas = configuration.lambdas
        probe.maxIterations = configuration.maxIterations
        probe.fitIntercept = head.bias != nil
        try probe.fit(features: features, labels: labels, classCount: classCount)
        guard let w = probe.weights?.contiguousValues() else {
            throw KaizenError.numerical(detail: "LastLayerRefit: the probe produced no weights")
        }
        let cols = w.shape[1], pw = w.basePointer
        head.weight.withMutableValues { hw in
            for c in 0..<classCount { for j in 0..<d { hw[c * d + j] = pw[c * cols + j] } }
        }
        head.bias?.withMutableValues { hb in for c in 0..<classCount { hb[c] = pw[c * cols + d] } }
        let accuracy = try TuningLoop.accuracy(images, labels, batchSize: configuration.batchSize) { x in try noGrad { try model(x) } }
        return DebiasRunRecord(method: "last-layer-refit", steps: 0, firstFullyCorrectStep: nil, stoppedEarly: false,
                               seconds: start.elapsed, finalTuningAccuracy: accuracy, losses: [])
    }
}

/// Wall-clock seconds since creation.
struct ContinuousClockStart {
    let began = ContinuousClock.now
    var elapsed: Double {
        let d = ContinuousClock.now - began
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
