import Foundation

/// One told evaluation of a run: its 1-based index, its loss and the best loss so far.
public struct EvaluationRecord: Codable, Sendable, Equatable {
    public var index: Int
    public var candidateID: Int
    public var loss: Double
    public var bestSoFar: Double
}

/// Progress after each tell, for a stderr line or a plot.
public struct EvolveProgress: Sendable {
    public var evaluation: Int
    public var budget: Int
    public var loss: Double
    public var bestSoFar: Double
}

/// Everything a run needs to continue: the optimiser (random stream included), the history and the
/// candidates that were being evaluated when it was saved (they are evaluated again on resume).
public struct EvolveState<O: GradientFreeOptimizer>: Codable, Sendable {
    public var optimizer: O
    public var budget: Int
    public var history: [EvaluationRecord] = []
    public var inFlight: [Candidate] = []

    public init(optimizer: O, budget: Int) {
        self.optimizer = optimizer
        self.budget = budget
    }

    /// Writes the state as JSON, atomically (a crash leaves the previous checkpoint intact).
    public func save(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            try encoder.encode(self).write(to: url, options: .atomic)
        } catch {
            throw KaizenError.io(file: url.path, location: nil, reason: "cannot write the checkpoint: \(error)")
        }
    }

    /// Reads a state written by `save(to:)`.
    public static func load(from url: URL) throws -> EvolveState<O> {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw KaizenError.io(file: url.path, location: nil, reason: "checkpoint cannot be read (missing?)")
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try decoder.decode(EvolveState<O>.self, from: data)
        } catch {
            throw KaizenError.io(file: url.path, location: nil, reason: "is not a checkpoint of this optimiser: \(error)")
        }
    }
}

/// The outcome of `Evolve.minimize`.
public struct EvolveResult<O: GradientFreeOptimizer>: Sendable {
    public var state: EvolveState<O>
    /// The best candidate told (standardised) and its values.
    public var recommendation: Candidate?
    public var assignment: Assignment?
    public var bestLoss: Double { state.optimizer.bestLoss }
    public var evaluations: Int { state.optimizer.evaluations }
    public var history: [EvaluationRecord] { state.history }
}

/// Runs an optimiser on an objective: the ask/tell loop with parallel evaluations, budget,
/// convergence history, progress callback and checkpoints.
public enum Evolve {
    /// Objective of a run: the loss of one candidate's values (lower is better).
    public typealias Objective = @Sendable (Assignment) async throws -> Double

    /// Minimises `objective` over `space` with `optimizer`, evaluating up to `workers` candidates
    /// concurrently, until `budget` tells (never more). With `checkpoint`, the whole state is
    /// written there every `checkpointEvery` tells, at the end, and before an objective error is
    /// rethrown. With one worker the run is deterministic for a fixed seed, resumed or not.
    public static func minimize<O: GradientFreeOptimizer>(
        _ objective: @escaping Objective, space: SearchSpace, optimizer: O, budget: Int, workers: Int = 1,
        checkpoint: URL? = nil, checkpointEvery: Int = 1, progress: (@Sendable (EvolveProgress) -> Void)? = nil
    ) async throws -> EvolveResult<O> {
        try await run(objective, space: space, state: EvolveState(optimizer: optimizer, budget: budget), workers: workers,
                      checkpoint: checkpoint, checkpointEvery: checkpointEvery, progress: progress)
    }

    /// Continues the run saved in `checkpoint` (and keeps checkpointing there).
    public static func resume<O: GradientFreeOptimizer>(
        _ type: O.Type, from checkpoint: URL, objective: @escaping Objective, space: SearchSpace, workers: Int = 1,
        checkpointEvery: Int = 1, progress: (@Sendable (EvolveProgress) -> Void)? = nil
    ) async throws -> EvolveResult<O> {
        let state = try EvolveState<O>.load(from: checkpoint)
        return try await run(objective, space: space, state: state, workers: workers, checkpoint: checkpoint,
                             checkpointEvery: checkpointEvery, progress: progress)
    }

    /// The loop shared by `minimize` and `resume`.
    public static func run<O: GradientFreeOptimizer>(
        _ objective: @escaping Objective, space: SearchSpace, state initial: EvolveState<O>, workers: Int,
        checkpoint: URL?, checkpointEvery: Int, progress: (@Sendable (EvolveProgress) -> Void)?
    ) async throws -> EvolveResult<O> {
        guard initial.budget >= 1 else { throw KaizenError.invalidArgument(name: "budget", detail: "must be at least 1, got \(initial.budget)") }
        guard workers >= 1 else { throw KaizenError.invalidArgument(name: "workers", detail: "must be at least 1, got \(workers)") }
        let discrete = initial.optimizer.encoding.coordinates.contains { if case .discrete = $0 { true } else { false } }
        let needed = space.encoding(discrete: discrete).dimension
        guard initial.optimizer.encoding.dimension == needed else {
            throw KaizenError.shapeMismatch(op: "Evolve.minimize", detail: "optimiser works on \(initial.optimizer.encoding.dimension) coordinates, the space has \(needed)")
        }
        var state = initial
        var queue = state.inFlight.sorted { $0.id < $1.id }
        var running: [Int: Candidate] = [:]
        let every = max(1, checkpointEvery)
        func snapshot() -> EvolveState<O> {
            var s = state
            s.inFlight = (Array(running.values) + queue).sorted { $0.id < $1.id }
            return s
        }
        do {
            try await withThrowingTaskGroup(of: (Candidate, Double).self) { group in
                while true {
                    while running.count < workers, state.optimizer.evaluations + running.count < state.budget {
                        let c = queue.isEmpty ? try state.optimizer.ask() : queue.removeFirst()
                        let values = try space.decode(c.z, discrete: discrete)
                        running[c.id] = c
                        group.addTask { (c, try await objective(values)) }
                    }
                    guard let (c, loss) = try await group.next() else { break }
                    running[c.id] = nil
                    try state.optimizer.tell(c, loss: loss)
                    let record = EvaluationRecord(index: state.optimizer.evaluations, candidateID: c.id, loss: loss,
                                                  bestSoFar: state.optimizer.bestLoss)
                    state.history.append(record)
                    progress?(EvolveProgress(evaluation: record.index, budget: state.budget, loss: loss, bestSoFar: record.bestSoFar))
                    if let checkpoint, record.index % every == 0 || record.index >= state.budget {
                        try snapshot().save(to: checkpoint)
                    }
                }
            }
        } catch {
            if let checkpoint { try? snapshot().save(to: checkpoint) }
            throw error
        }
        state.inFlight = []
        let best = state.optimizer.recommend()
        return EvolveResult(state: state, recommendation: best,
                            assignment: try best.map { try space.decode($0.z, discrete: discrete) })
    }
}
