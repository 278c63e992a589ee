/// Stage 2, step D: iterative boundary selection inside one denoised pseudo-class. Starting from the
/// core, each pick removes the floor(n/b) candidates nearest to the previous pick and takes the
/// candidate with the lowest boundary score (pi * inter - intra) / max(inter, intra), where pi grows by
/// delta each time a non-core pick faces the same opponent. Ties go to the earliest candidate in the
/// current candidate order, which is itself ordered by (distance to the last pick, position).
struct BoundarySelection: Sendable {
    var penaltyGrowth = 1.1
    /// Safe mode: a pick is always taken out of the candidates, and an emptied candidate list is
    /// refilled with the members not yet picked, so picks never repeat when b <= n.
    var neverRepeat = false

    struct Picks: Sendable {
        var positions: [Int]
        /// The boundary score at the time of each pick; nil for the core.
        var scores: [Double?]
    }

    /// `distances` is [n, n] over the kept members; `inter` / `opponent` per member (opponent is a
    /// cluster index below `clusterCount`).
    func select(distances: UnsafePointer<Double>, n: Int, corePosition: Int, budget: Int,
                inter: [Double], opponent: [Int], clusterCount: Int) -> Picks {
        var picks = Picks(positions: [corePosition], scores: [nil])
        guard budget > 1 else { return picks }
        var intra = [Double](repeating: 0, count: n)
        for j in 0..<n {
            let row = distances + j * n
            var s = 0.0
            for l in 0..<n { s += row[l] }
            intra[j] = s / Double(n)
        }
        var penalty = [Double](repeating: 1, count: max(clusterCount, 1))
        let removedPerPick = n / budget
        var candidates = Array(0..<n)
        var picked = [Bool](repeating: false, count: n)
        picked[corePosition] = true

        while picks.positions.count < budget {
            let last = picks.positions[picks.positions.count - 1]
            let row = distances + last * n
            candidates.sort { row[$0] != row[$1] ? row[$0] < row[$1] : $0 < $1 }
            candidates.removeFirst(min(removedPerPick, candidates.count))
            if neverRepeat {
                candidates.removeAll { picked[$0] }
                if candidates.isEmpty { candidates = (0..<n).filter { !picked[$0] } }
            }
            if last != corePosition { penalty[opponent[last]] *= penaltyGrowth }
            var best = -1
            var bestScore = Double.infinity
            for j in candidates {
                let score = (penalty[opponent[j]] * inter[j] - intra[j]) / Swift.max(inter[j], intra[j])
                if best < 0 || score < bestScore { best = j; bestScore = score }
            }
            guard best >= 0 else { break }
            picks.positions.append(best)
            picks.scores.append(bestScore)
            picked[best] = true
        }
        return picks
    }
}
