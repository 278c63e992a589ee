/// The nearest centroid p(i) = argmax_j f_i . c_j of every sample and its similarity, kept across
/// ActiveFT steps. Rows are streamed through sgemm in blocks; with `usesBounds`, a row is only
/// recomputed when its assignment could have changed (Hamerly-style bounds, checked by
/// `ActiveFTObjective` in the same pass that accumulates the gradient):
///
/// |f_i| = 1, so a centroid that moved by |c_j' - c_j| changes f_i . c_j by at most that much. Each
/// row keeps an upper bound on its second-best similarity, raised every step by the largest move of
/// any other centroid; while the exact similarity to its own centroid stays above that bound (plus
/// a rounding margin), the argmax cannot have changed. The similarity to the own centroid is always
/// recomputed exactly by the same dot product, so pruning changes no assignment.
struct ActiveFTAssignment {
    let features: UnsafePointer<Float>
    let n: Int
    let d: Int
    var blockRows = 4096
    var usesBounds = true
    /// Covers sgemm/dot rounding on unit vectors, far below a step's typical centroid move.
    static let margin: Float = 1e-4

    var owner: [Int32]
    /// f_i . c_{p(i)} (cosine), always from `Kernels.dot` so that pruned and recomputed rows agree.
    var best: [Float]
    /// Upper bound on max_{j != p(i)} f_i . c_j.
    var secondBound: [Float]
    private var previous: [Float] = []
    /// Rows recomputed by the last update (statistics).
    private(set) var recomputedRows = 0

    init(features: UnsafePointer<Float>, n: Int, d: Int, blockRows: Int = 4096, usesBounds: Bool = true) {
        self.features = features
        self.n = n
        self.d = d
        self.blockRows = blockRows
        self.usesBounds = usesBounds
        owner = [Int32](repeating: 0, count: n)
        best = [Float](repeating: 0, count: n)
        secondBound = [Float](repeating: .infinity, count: n)
    }

    /// Whether bounds from the previous step can prune rows for `k` centroids.
    func canPrune(k: Int) -> Bool { usesBounds && previous.count == k * d }

    /// The largest and second-largest centroid moves since the previous step (plus a rounding
    /// allowance), and which centroid made the largest.
    func moves(c: [Float], k: Int) -> (largest: Float, second: Float, mover: Int) {
        var move1: Float = 0, move2: Float = 0, mover = -1
        for j in 0..<k {
            var s: Float = 0
            for t in 0..<d { let v = c[j * d + t] - previous[j * d + t]; s += v * v }
            let m = s.squareRoot() + 1e-6
            if m > move1 { move2 = move1; move1 = m; mover = j } else if m > move2 { move2 = m }
        }
        return (move1, move2, mover)
    }

    /// Recomputes `rows` (nil: all) exactly and remembers `c` for the next step's bounds.
    mutating func update(rows: [Int]?, c: [Float], k: Int) {
        recomputedRows = rows?.count ?? n
        recompute(rows: rows, c: c, k: k)
        previous = c
    }

    /// Exact argmax, second best and own similarity for `rows` (nil: all rows, read in place).
    private mutating func recompute(rows: [Int]?, c: [Float], k: Int) {
        let total = rows?.count ?? n
        if total == 0 { return }
        let rowsPerBlock = max(1, min(blockRows, total))
        var block = [Float](repeating: 0, count: rowsPerBlock * k)
        var gathered = rows == nil ? [] : [Float](repeating: 0, count: rowsPerBlock * d)
        let features = self.features, d = self.d
        var start = 0
        while start < total {
            let count = min(rowsPerBlock, total - start)
            if let rows {
                gathered.withUnsafeMutableBufferPointer { g in
                    for r in 0..<count { (g.address + r * d).update(from: features + rows[start + r] * d, count: d) }
                }
            }
            c.withUnsafeBufferPointer { pc in
                block.withUnsafeMutableBufferPointer { pb in
                    gathered.withUnsafeBufferPointer { pg in
                        let a = rows == nil ? features + start * d : UnsafePointer(pg.address)
                        BLAS.sgemm(transA: false, transB: true, m: count, n: k, k: d, a: a, lda: d,
                                   b: pc.address, ldb: d, c: pb.address, ldc: k)
                    }
                }
            }
            c.withUnsafeBufferPointer { pc in
                block.withUnsafeBufferPointer { pblock in
                    owner.withUnsafeMutableBufferPointer { po in
                        best.withUnsafeMutableBufferPointer { pb in
                            secondBound.withUnsafeMutableBufferPointer { ps in
                                let box = UncheckedSendable((pc, pblock, po, pb, ps, rows))
                                Parallel.forRanges(count, costPerItem: k + d) { range in
                                    let (pc, pblock, po, pb, ps, rows) = box.value
                                    for r in range {
                                        let row = pblock.address + r * k
                                        var top = 0
                                        for j in 1..<max(1, k) where row[j] > row[top] { top = j }
                                        var second = -Float.infinity
                                        for j in 0..<k where j != top && row[j] > second { second = row[j] }
                                        let i = rows?[start + r] ?? (start + r)
                                        po[i] = Int32(top)
                                        ps[i] = second
                                        pb[i] = Kernels.dot(features + i * d, pc.address + top * d, d)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            start += count
        }
    }
}
