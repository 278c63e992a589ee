import Foundation

/// Eigendecomposition of a real symmetric matrix by cyclic Jacobi rotations, on raw row-major arrays.
///
/// `solve(a, n, vectors:)` diagonalises `a` in place and accumulates the rotations into `vectors`
/// (columns become eigenvectors). Starting `vectors` from a previous eigenbasis `B` and `a` from
/// `B^T A B` (`warmStart`) leaves a nearly diagonal matrix, which Jacobi finishes in one or two
/// sweeps: this is how CMA-ES refreshes its basis cheaply.
enum JacobiEigen {
    /// Eigenvalues (unsorted, in the order of the columns of `vectors`) after diagonalising `a`.
    /// `a` is n x n symmetric, row-major; `vectors` n x n row-major, updated as `vectors * R`.
    /// Returns the number of sweeps used.
    @discardableResult
    static func solve(_ a: inout [Double], n: Int, vectors: inout [Double], maxSweeps: Int = 50) -> Int {
        precondition(a.count == n * n && vectors.count == n * n, "SymmetricEigen: n x n arrays")
        if n < 2 { return 0 }
        var sweeps = 0
        a.withUnsafeMutableBufferPointer { ab in
            vectors.withUnsafeMutableBufferPointer { vb in
                let a = ab.address, v = vb.address
                while sweeps < maxSweeps {
                    var off = 0.0, diag = 0.0
                    for p in 0..<n {
                        diag += a[p * n + p] * a[p * n + p]
                        for q in (p + 1)..<n { off += a[p * n + q] * a[p * n + q] }
                    }
                    if off <= 1e-30 * diag || off == 0 { break }
                    sweeps += 1
                    for p in 0..<(n - 1) {
                        for q in (p + 1)..<n {
                            let apq = a[p * n + q]
                            if apq == 0 { continue }
                            let app = a[p * n + p], aqq = a[q * n + q]
                            // Skip rotations that cannot change the diagonal at double precision.
                            if abs(apq) < 1e-18 * (abs(app) + abs(aqq)) { a[p * n + q] = 0; a[q * n + p] = 0; continue }
                            let theta = (aqq - app) / (2 * apq)
                            let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                            let c = 1 / (t * t + 1).squareRoot(), s = t * c
                            rotate(a, v, n, p, q, c, s, t, apq)
                        }
                    }
                }
            }
        }
        return sweeps
    }

    @inline(__always)
    private static func rotate(_ a: UnsafeMutablePointer<Double>, _ v: UnsafeMutablePointer<Double>, _ n: Int,
                               _ p: Int, _ q: Int, _ c: Double, _ s: Double, _ t: Double, _ apq: Double) {
        // Rows p and q are contiguous; columns follow by symmetry.
        let rp = a + p * n, rq = a + q * n
        for k in 0..<n where k != p && k != q {
            let akp = rp[k], akq = rq[k]
            let np = c * akp - s * akq, nq = s * akp + c * akq
            rp[k] = np; rq[k] = nq
            a[k * n + p] = np; a[k * n + q] = nq
        }
        rp[p] -= t * apq
        rq[q] += t * apq
        rp[q] = 0; rq[p] = 0
        for k in 0..<n {
            let vkp = v[k * n + p], vkq = v[k * n + q]
            v[k * n + p] = c * vkp - s * vkq
            v[k * n + q] = s * vkp + c * vkq
        }
    }

    /// `B^T A B` for row-major n x n matrices (the warm-start matrix of a basis refresh).
    static func congruence(_ a: [Double], basis b: [Double], n: Int) -> [Double] {
        var ab = [Double](repeating: 0, count: n * n)
        multiply(a, b, n, into: &ab)
        var out = [Double](repeating: 0, count: n * n)
        // out = B^T (A B): out[i][j] = sum_k B[k][i] (AB)[k][j]; loop order keeps rows contiguous.
        out.withUnsafeMutableBufferPointer { o in
            b.withUnsafeBufferPointer { bp in
                ab.withUnsafeBufferPointer { m in
                    for k in 0..<n {
                        for i in 0..<n {
                            let bki = bp[k * n + i]
                            if bki == 0 { continue }
                            for j in 0..<n { o[i * n + j] += bki * m[k * n + j] }
                        }
                    }
                }
            }
        }
        return out
    }

    /// `c = a * b` for row-major n x n matrices.
    static func multiply(_ a: [Double], _ b: [Double], _ n: Int, into c: inout [Double]) {
        c.withUnsafeMutableBufferPointer { cp in
            for i in 0..<(n * n) { cp[i] = 0 }
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    for i in 0..<n {
                        for k in 0..<n {
                            let aik = ap[i * n + k]
                            if aik == 0 { continue }
                            for j in 0..<n { cp[i * n + j] += aik * bp[k * n + j] }
                        }
                    }
                }
            }
        }
    }
}
