
/// Euclidean distances in Double, as the official stage-2 code computes them (SciPy `cdist` in float64).
/// Products go through `dgemm` with |x|^2 + |y|^2 - 2 x.y; pairs whose squared distance is tiny
/// relative to their norms are recomputed from differences, so duplicate features give exactly 0
/// and near-duplicates keep their order.
enum DoubleDistances {
    /// Rows `ids` of a [*, d] Float matrix, widened to Double and packed [ids.count, d].
    static func gather(_ x: UnsafePointer<Float>, d: Int, ids: [Int]) -> [Double] {
        var out = [Double](repeating: 0, count: ids.count * d)
        out.withUnsafeMutableBufferPointer { o in
            let po = o.address
            for (r, id) in ids.enumerated() {
                let src = x + id * d, dst = po + r * d
                for c in 0..<d { dst[c] = Double(src[c]) }
            }
        }
        return out
    }

    /// Contiguous rows `start..<start+count`, widened to Double.
    static func gather(_ x: UnsafePointer<Float>, d: Int, start: Int, count: Int) -> [Double] {
        var out = [Double](repeating: 0, count: count * d)
        out.withUnsafeMutableBufferPointer { o in
            let po = o.address, src = x + start * d
            for i in 0..<(count * d) { po[i] = Double(src[i]) }
        }
        return out
    }

    static func squaredNorms(_ a: [Double], rows: Int, d: Int) -> [Double] {
        a.withUnsafeBufferPointer { p in
            (0..<rows).map { r in
                var s = 0.0
                let row = p.address + r * d
                for c in 0..<d { s += row[c] * row[c] }
                return s
            }
        }
    }

    /// Distances [n, m] between rows of `a` [n, d] and rows of `b` [m, d].
    /// Not for use inside a parallel loop (dgemm threads itself).
    static func matrix(_ a: [Double], n: Int, _ b: [Double], m: Int, d: Int,
                       aNorms: [Double], bNorms: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: n * m)
        if n == 0 || m == 0 { return out }
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { po in
                    let A = pa.address, B = pb.address, C = po.address
                    BLAS.dgemm(transA: false, transB: true, m: n, n: m, k: d, alpha: -2, a: A, lda: d, b: B, ldb: d, c: C, ldc: m)
                    let box = UncheckedSendable((A, B, C))
                    Parallel.forRanges(n, costPerItem: m * 4) { range in
                        let (A, B, C) = box.value
                        for i in range {
                            let row = C + i * m
                            for j in 0..<m {
                                let scale = aNorms[i] + bNorms[j]
                                var sq = row[j] + scale
                                if sq <= 1e-12 * scale {
                                    sq = directSquared(A + i * d, B + j * d, d)
                                }
                                row[j] = sq > 0 ? sq.squareRoot() : 0
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Symmetric distances among the rows of `a` [n, d], with an exact zero diagonal.
    static func selfMatrix(_ a: [Double], n: Int, d: Int) -> [Double] {
        let norms = squaredNorms(a, rows: n, d: d)
        var out = matrix(a, n: n, a, m: n, d: d, aNorms: norms, bNorms: norms)
        for i in 0..<n {
            out[i * n + i] = 0
            // dgemm need not be exactly symmetric; mirror the upper triangle so D[i][j] == D[j][i].
            for j in (i + 1)..<max(i + 1, n) { out[j * n + i] = out[i * n + j] }
        }
        return out
    }

    @inline(__always)
    static func directSquared(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ d: Int) -> Double {
        var s = 0.0
        for c in 0..<d { let t = x[c] - y[c]; s += t * t }
        return s
    }
}
