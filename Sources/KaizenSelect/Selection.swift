/// The selection methods the `kaizen select` command offers.
public enum SelectionMethod: String, CaseIterable, Codable, Sendable {
    /// ActiveFT cores, then BiLAF boundary samples.
    case bilaf
    /// ActiveFT alone, with K = budget.
    case activeft
    case random
    case kmeans
    /// k-center greedy (farthest-first).
    case coreset
}

/// Which stage picked a sample.
public enum PickStage: String, Codable, Sendable {
    case core, boundary
    /// Picked by a baseline method.
    case baseline
}

/// Tuning of the methods behind `Selection.select`.
public struct SelectionOptions: Sendable {
    /// Number of ActiveFT cores for BiLAF; nil uses `Selection.defaultCoreCount`.
    public var coreCount: Int?
    public var bilaf = BiLAF()
    public var activeFT = ActiveFT()
    public var kMeansIterations = 50
    public var kMeansTolerance = 1e-4

    public init(coreCount: Int? = nil) { self.coreCount = coreCount }
}

/// The outcome of a selection; encodes to the JSON of `kaizen select`
/// (`{"indices": [...], "method": ..., "budget": ..., "cores": [...], ...}`).
public struct SelectionResult: Codable, Sendable, Equatable {
    /// Selected sample ids, in selection order (BiLAF: per pseudo-class, core first).
    public var indices: [Int]
    public var method: SelectionMethod
    /// The resolved budget (a count).
    public var budget: Int
    /// Core ids, ascending (empty for the baselines).
    public var cores: [Int]
    /// Stage of every entry of `indices`.
    public var stage: [PickStage]
    /// Boundary score of every entry of `indices` at the time it was picked (null for cores and baselines).
    public var scores: [Double?]
    /// BiLAF mode (null for the other methods).
    public var mode: BiLAF.Mode?
    public var seed: UInt64
    /// Samples that BiLAF's denoising removed as outliers.
    public var outliers: [Int]
}

/// One entry point for all selection methods.
public enum Selection {
    /// BiLAF's default core count: 0.5% of the pool (the paper's CIFAR100/ImageNet share), kept within
    /// 1...max(1, budget / 2) so that at least half the budget goes to boundary samples.
    public static func defaultCoreCount(poolSize: Int, budget: Int) -> Int {
        max(1, min(poolSize / 200, budget / 2))
    }

    /// Selects `budget` samples from `features` [N, d] with `method`.
    public static func select(features: Tensor, budget: Budget, method: SelectionMethod, seed: UInt64 = 0,
                              mode: BiLAF.Mode = .safe, options: SelectionOptions = SelectionOptions(),
                              progress: ProgressHandler? = nil) throws(KaizenError) -> SelectionResult {
        guard features.rank == 2, features.shape[0] > 0, features.shape[1] > 0 else {
            throw .shapeMismatch(op: "select", detail: "features must be a non-empty [N, d] matrix with d > 0, got \(Shape.describe(features.shape))")
        }
        let n = features.shape[0]
        let b = try budget.resolve(poolSize: n)
        func baseline(_ ids: [Int]) -> SelectionResult {
            SelectionResult(indices: ids, method: method, budget: b, cores: [], stage: ids.map { _ in .baseline },
                            scores: ids.map { _ in nil }, mode: nil, seed: seed, outliers: [])
        }
        switch method {
        case .random:
            return baseline(Baselines.random(poolSize: n, budget: b, seed: seed))
        case .coreset:
            return baseline(Baselines.kCenterGreedy(features: features, budget: b, seed: seed, progress: progress))
        case .kmeans:
            return baseline(Baselines.kMeans(features: features, budget: b, seed: seed, maxIterations: options.kMeansIterations,
                                             tolerance: options.kMeansTolerance, progress: progress))
        case .activeft:
            let out = try options.activeFT.select(features: features, count: b, seed: seed, progress: progress)
            return SelectionResult(indices: out.cores, method: method, budget: b, cores: out.cores,
                                   stage: out.cores.map { _ in .core }, scores: out.cores.map { _ in nil },
                                   mode: nil, seed: seed, outliers: [])
        case .bilaf:
            let k = options.coreCount ?? defaultCoreCount(poolSize: n, budget: b)
            guard k >= 1, k <= b else {
                throw .invalidArgument(name: "--cores", detail: "BiLAF needs 1...\(b) cores (at most the budget), got \(k)")
            }
            let total = options.activeFT.steps + 2 * k
            var coreProgress: ProgressHandler?
            var boundaryProgress: ProgressHandler?
            if let progress {
                let offset = options.activeFT.steps
                coreProgress = { done, _ in progress(done, total) }
                boundaryProgress = { done, _ in progress(offset + done, total) }
            }
            let core = try options.activeFT.select(features: features, count: k, seed: seed, progress: coreProgress)
            var stage2 = options.bilaf
            stage2.mode = mode
            let out = try stage2.select(features: features, cores: core.cores, budget: b, progress: boundaryProgress)
            let stages: [PickStage] = out.isCore.map { $0 ? PickStage.core : PickStage.boundary }
            let scores: [Double?] = out.scores.map { s -> Double? in
                guard let s, s.isFinite else { return nil }
                return s
            }
            return SelectionResult(indices: out.indices, method: method, budget: b, cores: out.cores, stage: stages,
                                   scores: scores, mode: mode, seed: seed, outliers: out.outliers)
        }
    }
}
