/// The step budget and stopping rule shared by every tuning method (Penzel, Stein & Denzler, VISAPP 2024,
/// "Reducing Bias in Pre-trained Models by Tuning while Penalizing Change"): there is no validation
/// set, so training stops once the whole tuning set is classified correctly, after a further delay of ε
/// steps. With t* the first step at which the tuning set is all correct, the run stops at t* + ε.
public struct TuningSchedule: Sendable, Equatable, Codable {
    /// Hard cap on optimiser updates (spec grid: 500).
    public var maxSteps = 500
    /// ε, the extra steps after t* before stopping (spec grid {0, 5, 10, 25}; default 10). `nil`
    /// disables early stopping: the run takes `maxSteps` updates (t* is still recorded).
    public var earlyStopDelay: Int? = 10
    /// Images per update; when the tuning set has at most this many, it is one full batch every step.
    public var batchSize = 128
    /// Seed of the minibatch order (only used when the tuning set exceeds `batchSize`).
    public var seed: UInt64 = 0

    public init(maxSteps: Int = 500, earlyStopDelay: Int? = 10, batchSize: Int = 128, seed: UInt64 = 0) {
        self.maxSteps = maxSteps
        self.earlyStopDelay = earlyStopDelay
        self.batchSize = batchSize
        self.seed = seed
    }

    func validate() throws {
        guard maxSteps >= 0 else { throw KaizenError.invalidArgument(name: "maxSteps", detail: "must be >= 0, got \(maxSteps)") }
        guard batchSize >= 1 else { throw KaizenError.invalidArgument(name: "batchSize", detail: "must be >= 1, got \(batchSize)") }
        if let e = earlyStopDelay, e < 0 {
            throw KaizenError.invalidArgument(name: "earlyStopDelay", detail: "ε must be >= 0 (or nil to disable early stopping), got \(e)")
        }
    }
}

/// The optimiser that applies the updates of a tuning run (KaizenNN's, with PyTorch semantics, no weight decay).
public enum TuningOptimizer: Sendable, Equatable, Codable {
    /// SGD; momentum 0 is plain gradient descent.
    case sgd(learningRate: Float, momentum: Float)
    /// Adam with betas (0.9, 0.999), eps 1e-8.
    case adam(learningRate: Float)

    /// A fresh optimiser over `parameters`.
    public func make(parameters: [Parameter]) throws -> any Optimizer {
        switch self {
        case let .sgd(lr, momentum): return try SGD(parameters: parameters, lr: lr, momentum: momentum)
        case let .adam(lr): return try Adam(parameters: parameters, lr: lr)
        }
    }
}

/// What one tuning run did: updates taken, t*, whether the early stop fired, time and the loss per step.
public struct DebiasRunRecord: Sendable, Codable, Equatable {
    /// Method name ("change-penalty", "fine-tuning", "side-tuning", "mas", "last-layer-refit").
    public var method: String
    /// Optimiser updates taken.
    public var steps: Int
    /// t*: the first step (number of updates before it) at which the whole tuning set was classified
    /// correctly, or nil if that never happened.
    public var firstFullyCorrectStep: Int?
    /// Whether the run ended by the t* + ε rule rather than the step cap.
    public var stoppedEarly: Bool
    /// Wall-clock seconds of the whole call, including any preparation (copies, importances, features).
    public var seconds: Double
    /// Tuning-set accuracy of the returned model.
    public var finalTuningAccuracy: Double
    /// Training objective (cross-entropy plus penalty) at each update.
    public var losses: [Double]
}
