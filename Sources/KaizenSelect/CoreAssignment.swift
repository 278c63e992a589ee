/// Stage 2, step A: every sample joins the pseudo-class of its nearest core (Euclidean, Double,
/// ties to the lower cluster index), and records its nearest *other* core (the opponent) and the
/// distance to it. Streamed in row blocks, so memory is O(N + block * K).
struct CoreAssignment: Sendable {
    /// Cluster index (position in the ascending core list) of each sample.
    var cluster: [Int32]
    /// Nearest core other than the sample's own cluster, and the distance to it (inter_j).
    var opponent: [Int32]
    var opponentDistance: [Double]

    /// The official code's stand-in distance when there is no other core (K = 1).
    static let noOpponentDistance = 1e9 + 7

    static let blockRows = 2048

    /// `x` is [n, d] Float; `coreFeatures` the K cores widened to Double, packed [K, d].
    static func compute(x: UnsafePointer<Float>, n: Int, d: Int, coreFeatures: [Double], k: Int) -> CoreAssignment {
        var result = CoreAssignment(cluster: [Int32](repeating: 0, count: n),
                                    opponent: [Int32](repeating: 0, count: n),
                                    opponentDistance: [Double](repeating: noOpponentDistance, count: n))
        let coreNorms = DoubleDistances.squaredNorms(coreFeatures, rows: k, d: d)
        var start = 0
        while start < n {
            let rows = min(blockRows, n - start)
            let block = DoubleDistances.gather(x, d: d, start: start, count: rows)
            let norms = DoubleDistances.squaredNorms(block, rows: rows, d: d)
            let dist = DoubleDistances.matrix(block, n: rows, coreFeatures, m: k, d: d, aNorms: norms, bNorms: coreNorms)
            dist.withUnsafeBufferPointer { pd in
                for r in 0..<rows {
                    let row = pd.address + r * k
                    var own = 0
                    for j in 1..<max(1, k) where row[j] < row[own] { own = j }
                    result.cluster[start + r] = Int32(own)
                    let (opp, od) = opponent(row: row, k: k, excluding: own)
                    result.opponent[start + r] = Int32(opp)
                    result.opponentDistance[start + r] = od
                }
            }
            start += rows
        }
        return result
    }

    /// First minimum of a distance row over all indices but `excluding` (the official code masks the
    /// own column with 1e9+7 and takes argmin, so K = 1 yields (0, 1e9+7)).
    static func opponent(row: UnsafePointer<Double>, k: Int, excluding own: Int) -> (Int, Double) {
        var best = -1
        var bestDistance = noOpponentDistance
        for j in 0..<k where j != own {
            if best < 0 || row[j] < bestDistance { best = j; bestDistance = row[j] }
        }
        if best < 0 { return (0, noOpponentDistance) }
        if bestDistance > noOpponentDistance { return (own, noOpponentDistance) }
        return (best, bestDistance)
    }
}
