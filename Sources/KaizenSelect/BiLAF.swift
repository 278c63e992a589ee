import Foundation

/// BiLAF stage 2 (boundary selection around given cores; NeurIPS'24, official `density_cluster.py`).
///
/// Samples are grouped into pseudo-classes around the cores (nearest core, Euclidean, Double), each
/// pseudo-class is denoised by iterative density-based clustering, the budget is shared among the
/// pseudo-classes, and boundary samples are picked per class by the penalised boundary score.
/// Everything is deterministic given the cores, and independent of the thread count.
///
/// Two modes:
/// - `strict` reproduces the official code, including its budget split b_i = floor(B n_i / sum n) with
///   the leftover rule and its failure cases: a pseudo-class that gets b_i = 0 (the official code
///   divides by zero), a core whose features duplicate a lower core, or a core dropped by denoising
///   (the official code asserts or silently picks the wrong sample) become `KaizenError`s; b_i > n_i
///   reproduces the official behaviour, where the same sample can be picked again (the output then
///   holds duplicates).
/// - `safe` (default) reserves one slot per pseudo-class for its core and shares B - K over the other
///   kept members, capping every class at its size and passing the excess on; cores are always kept
///   in their own pseudo-class; picks never repeat. The output has exactly B distinct ids whenever
///   B >= K and the kept members can hold B.
/// Both modes use the official code's IDC density by default (see `DensityEstimate`; the paper's
/// k-nearest mean is available for safe mode). Distances are Double, on raw features unless
/// `normaliseFeatures` is set. Memory is O(N K / block + max n_i^2).
public struct BiLAF: Sendable {
    public enum Mode: String, Sendable, Codable, CaseIterable { case safe, strict }

    /// The IDC density of an outside member j. The paper (and the spec) mean the average distance
    /// to its k nearest inside members (`nearest`). The official code takes the argsort of those
    /// distances, which are positions in the insertion list, and reads j's distances to the members
    /// at those *sample positions* instead (`official`); strict mode always uses it.
    public enum DensityEstimate: String, Sendable, Codable, CaseIterable { case official, nearest }

    public var mode: Mode = .safe
    /// k of the density estimate (official default 10).
    public var neighbours = 10
    /// P_in: share of a pseudo-class added per IDC ring.
    public var ringShare = 0.1
    /// P_rm: share of the IDC order dropped as outliers (0.2 in the official ImageNet script).
    public var removeShare = 0.1
    /// delta: growth of the opponent penalty.
    public var penaltyGrowth = 1.1
    /// Use L2-normalised features instead of the raw ones (the paper says normalised; the code uses raw).
    public var normaliseFeatures = false
    /// The IDC density in safe mode (strict mode always uses `.official`).
    public var densityEstimate: DensityEstimate = .official
    /// Upper bound on the Double distance matrices held at once (elements); one cluster may exceed it.
    public var matrixBudget = 1 << 25

    public init(mode: Mode = .safe) { self.mode = mode }

    /// Pseudo-classes are processed with a dense [n, n] Double matrix; this caps it at 2 GB.
    public static let largestPseudoClass = 16_384

    /// The result of stage 2, in the official output order (clusters in ascending core order, each
    /// starting with its core).
    public struct Output: Sendable {
        public var indices: [Int]
        public var isCore: [Bool]
        /// Boundary score at the time of each pick (nil for cores).
        public var scores: [Double?]
        /// The cores, ascending.
        public var cores: [Int]
        /// Samples removed as outliers by denoising (including the leftovers that never joined a ring).
        public var outliers: [Int]
        /// The pseudo-class (index into `cores`) of every sample.
        public var pseudoClass: [Int]
        /// Budget of every pseudo-class.
        public var classBudgets: [Int]
    }

    /// Boundary selection of `budget` samples from `features` [N, d] around `cores` (sample ids).
    public func select(features: Tensor, cores coreIds: [Int], budget: Int,
                       progress: ProgressHandler? = nil) throws(KaizenError) -> Output {
        guard features.rank == 2 else {
            throw .shapeMismatch(op: "BiLAF", detail: "features must be [N, d], got \(Shape.describe(features.shape))")
        }
        let n = features.shape[0], d = features.shape[1]
        let cores = coreIds.sorted()
        guard !cores.isEmpty else { throw .invalidArgument(name: "cores", detail: "at least one core is needed") }
        guard cores.first! >= 0, cores.last! < n else {
            throw .invalidArgument(name: "cores", detail: "core ids must lie in 0..<\(n)")
        }
        for i in 1..<cores.count where cores[i] == cores[i - 1] {
            throw .invalidArgument(name: "cores", detail: "core id \(cores[i]) appears twice")
        }
        guard budget >= 1, budget <= n else {
            throw .invalidArgument(name: "--budget", detail: "\(budget) must lie in 1...\(n)")
        }
        let x = normaliseFeatures ? FeatureMath.l2Normalised(features) : features.contiguousValues()
        let px = UnsafePointer(x.basePointer)
        let k = cores.count
        let coreFeatures = DoubleDistances.gather(px, d: d, ids: cores)

        // A. Pseudo-classes.
        var assignment = CoreAssignment.compute(x: px, n: n, d: d, coreFeatures: coreFeatures, k: k)
        for (i, id) in cores.enumerated() where Int(assignment.cluster[id]) != i {
            let other = cores[Int(assignment.cluster[id])]
            if mode == .strict {
                throw .invalidArgument(name: "cores", detail: "strict mode: core \(id) has the same features as core \(other), so its pseudo-class does not contain it (the official code fails here); use safe mode or drop one of them")
            }
            // Safe mode keeps every core in its own pseudo-class.
            assignment.cluster[id] = Int32(i)
            let coreNorms = DoubleDistances.squaredNorms(coreFeatures, rows: k, d: d)
            let row = DoubleDistances.gather(px, d: d, ids: [id])
            let dist = DoubleDistances.matrix(row, n: 1, coreFeatures, m: k, d: d,
                                              aNorms: DoubleDistances.squaredNorms(row, rows: 1, d: d), bNorms: coreNorms)
            let (opp, od) = dist.withUnsafeBufferPointer { CoreAssignment.opponent(row: $0.address, k: k, excluding: i) }
            assignment.opponent[id] = Int32(opp)
            assignment.opponentDistance[id] = od
        }
        var members = [[Int]](repeating: [], count: k)
        for s in 0..<n { members[Int(assignment.cluster[s])].append(s) }
        if let c = members.indices.first(where: { members[$0].count > BiLAF.largestPseudoClass }) {
            let gb = Double(members[c].count * members[c].count * 8) / 1e9
            throw .invalidArgument(name: "cores", detail: "pseudo-class \(c) (core \(cores[c])) has \(members[c].count) members; its distance matrix would need \(String(format: "%.1f", gb)) GB. Use more cores (at most \(BiLAF.largestPseudoClass) samples per core)")
        }
        let totalSteps = 2 * k
        progress?(0, totalSteps)

        // B. Denoising, per cluster (distance matrices in bounded batches, clusters in parallel).
        let denoiser = DensityDenoising(estimate: mode == .strict ? .official : densityEstimate, neighbours: neighbours, ringShare: ringShare, removeShare: removeShare)
        let keptLists: [[Int]] = try perCluster(members: members, cores: cores, px: px, d: d, offset: 0,
                                               total: totalSteps, progress: progress) { c, list, corePos, dist in
            let kept = denoiser.keptPositions(distances: dist, n: list.count, corePosition: corePos)
            var ids = kept.map { list[$0] }
            if !kept.contains(corePos) {
                if mode == .strict {
                    return .failure(.invalidArgument(name: "cores", detail: "strict mode: denoising dropped core \(cores[c]) of pseudo-class \(c) (duplicate features around it); the official code would then pick a wrong sample. Use safe mode"))
                }
                ids.insert(list[corePos], at: 0)
            }
            return .success(ids)
        }
        var isKept = [Bool](repeating: false, count: n)
        for list in keptLists { for s in list { isKept[s] = true } }
        let outliers = (0..<n).filter { !isKept[$0] }

        // C. Budget split.
        let sizes = keptLists.map(\.count)
        let budgets: [Int]
        if mode == .strict {
            budgets = BudgetSplit.proportional(budget, sizes: sizes)
            if let c = budgets.firstIndex(of: 0) {
                throw .invalidArgument(name: "--budget", detail: "strict mode: pseudo-class \(c) (core \(cores[c]), \(sizes[c]) kept members) gets 0 of the budget \(budget), which the official code cannot handle (division by zero); raise the budget or use safe mode")
            }
        } else {
            budgets = try BudgetSplit.safe(budget, sizes: sizes)
        }

        // D. Selection, per cluster.
        let selector = BoundarySelection(penaltyGrowth: penaltyGrowth, neverRepeat: mode == .safe)
        let opponent = assignment.opponent, opponentDistance = assignment.opponentDistance
        let picks: [BoundarySelection.Picks] = try perCluster(members: keptLists, cores: cores, px: px, d: d, offset: k,
                                                             total: totalSteps, progress: progress) { c, list, corePos, dist in
            let result = selector.select(distances: dist, n: list.count, corePosition: corePos, budget: budgets[c],
                                         inter: list.map { opponentDistance[$0] },
                                         opponent: list.map { Int(opponent[$0]) }, clusterCount: k)
            return .success(BoundarySelection.Picks(positions: result.positions.map { list[$0] }, scores: result.scores))
        }
        var output = Output(indices: [], isCore: [], scores: [], cores: cores, outliers: outliers,
                            pseudoClass: assignment.cluster.map(Int.init), classBudgets: budgets)
        for p in picks {
            output.indices += p.positions
            output.scores += p.scores
            output.isCore += p.scores.indices.map { $0 == 0 }
        }
        return output
    }

    /// Runs `work` for every cluster with its [n, n] Double distance matrix. Matrices are computed on
    /// the calling thread (dgemm threads itself) in batches bounded by `matrixBudget`; the work of a
    /// batch then runs over clusters in parallel. Results do not depend on the thread count.
    private func perCluster<R: Sendable>(
        members: [[Int]], cores: [Int], px: UnsafePointer<Float>, d: Int, offset: Int, total: Int,
        progress: ProgressHandler?,
        _ work: @escaping @Sendable (Int, [Int], Int, UnsafePointer<Double>) -> Result<R, KaizenError>
    ) throws(KaizenError) -> [R] {
        let k = members.count
        var results = [Result<R, KaizenError>?](repeating: nil, count: k)
        var start = 0
        while start < k {
            var end = start, elements = 0
            while end < k && (end == start || elements + members[end].count * members[end].count <= matrixBudget) {
                elements += members[end].count * members[end].count
                end += 1
            }
            let matrices = (start..<end).map { c -> [Double] in
                let features = DoubleDistances.gather(px, d: d, ids: members[c])
                return DoubleDistances.selfMatrix(features, n: members[c].count, d: d)
            }
            results.withUnsafeMutableBufferPointer { out in
                let box = UncheckedSendable((out, matrices))
                Parallel.forRanges(end - start, costPerItem: Parallel.minimumGrain) { range in
                    let (out, matrices) = box.value
                    for b in range {
                        let c = start + b
                        let list = members[c]
                        let corePos = list.firstIndex(of: cores[c]) ?? 0
                        out[c] = matrices[b].withUnsafeBufferPointer { work(c, list, corePos, $0.address) }
                    }
                }
            }
            progress?(offset + end, total)
            start = end
        }
        var values: [R] = []
        values.reserveCapacity(k)
        for r in results {
            switch r {
            case .success(let v)?: values.append(v)
            case .failure(let e)?: throw e
            case nil: throw .numerical(detail: "BiLAF: a pseudo-class was not processed")
            }
        }
        return values
    }
}
