/// How the side-tuning blend weight α evolves over the updates.
public enum SideTuningAlpha: Sendable, Equatable, Codable {
    /// The same α every step (spec grid {0.5, 0.8, 0.9}).
    case fixed(Float)
    /// α falls linearly from `start` to `end` over `steps` updates, then stays at `end`
    /// (the side-tuning curriculum; spec: from 1.0).
    case linearDecay(start: Float, end: Float, steps: Int)

    /// α at update `step`.
    public func value(atStep step: Int) -> Float {
        switch self {
        case let .fixed(a): return a
        case let .linearDecay(start, end, steps):
            guard steps > 0 else { return end }
            let f = Float(min(max(step, 0), steps)) / Float(steps)
            return start * (1 - f) + end * f
        }
    }
}

/// Hyper-parameters of the side-tuning baseline (Zhang, Sax, Zamir, Guibas & Malik, "Side-Tuning", ECCV 2020).
public struct SideTuningConfiguration: Sendable, Equatable, Codable {
    /// The blend weight of the frozen base (default fixed 0.5, from the spec grid).
    public var alpha: SideTuningAlpha = .fixed(0.5)
    /// Optimiser of the side network (Adam, lr 1e-4, as for the other methods).
    public var optimizer: TuningOptimizer = .adam(learningRate: 1e-4)
    /// Step cap, ε and batch size (500, 10, 128).
    public var schedule = TuningSchedule()

    public init(alpha: SideTuningAlpha = .fixed(0.5), optimizer: TuningOptimizer = .adam(learningRate: 1e-4),
                schedule: TuningSchedule = TuningSchedule()) {
        self.alpha = alpha
        self.optimizer = optimizer
        self.schedule = schedule
    }
}

/// Side-tuning's blended model, at the logits: R(x) = α·B(x) + (1 − α)·S(x), B the frozen base and S
/// a trainable side network (a copy of B here). Both run in eval mode (frozen BatchNorm statistics).
/// With α = 1, or with S equal to B, R is B.
public final class SideTunedModel<M: Layer>: Layer {
    /// B, frozen.
    public let base: M
    /// S, trained.
    public let side: M
    /// The current α.
    public var alpha: Float
    public var trainingMode = false

    /// Freezes `base`, puts both in eval mode. `side` must be a different instance.
    public init(base: M, side: M, alpha: Float) throws {
        guard base !== side else {
            throw KaizenError.invalidArgument(name: "side", detail: "the side network must be a separate copy of the base model")
        }
        guard alpha.isFinite, (0...1).contains(alpha) else {
            throw KaizenError.invalidArgument(name: "alpha", detail: "must be in [0, 1], got \(alpha)")
        }
        base.freeze()
        base.eval()
        side.eval()
        self.base = base
        self.side = side
        self.alpha = alpha
    }

    /// Only the side network is a child, so `namedParameters()` lists what is trained (as `side.*`).
    public func namedChildren() -> [(String, any Module)] { [("side", side)] }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let b = try noGrad { try base(x) }
        if alpha == 1 { return b }
        let s = try side(x)
        if alpha == 0 { return s }
        return try b * alpha + s * (1 - alpha)
    }
}

/// Trains the side network of a `SideTunedModel` with the shared loop, α following its schedule.
public enum SideTuning {
    public static func tune<M: Layer>(_ blended: SideTunedModel<M>, configuration: SideTuningConfiguration,
                                      images: Tensor, labels: [Int]) throws -> DebiasRunRecord {
        let trained = blended.side.trainableParameters()
        let optimizer = try configuration.optimizer.make(parameters: trained)
        let loop = try TuningLoop(schedule: configuration.schedule, images: images, labels: labels, classCount: nil)
        return try loop.run(method: "side-tuning", logits: { x, step in
            blended.alpha = configuration.alpha.value(atStep: step)
            return try blended(x)
        }, penalty: { 0 }, update: { _ in
            try optimizer.step()
            for p in trained { p.zeroGrad() }
        })
    }
}
