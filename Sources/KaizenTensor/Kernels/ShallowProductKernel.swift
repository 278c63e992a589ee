/// Matrix products whose inner dimension is short: an RGB stem's 3 channels x 3 x 3 taps = 27.
/// OpenBLAS packs both operands before multiplying, which for K = 27 costs about as much as the
/// multiplication itself (sgemm copies were 19% of the stem's profile, its kernel 26%); here the
/// operands are read where they lie (im2col rows are already contiguous along the pixels).
///
/// Vectors run along the pixels: 16 floats with AVX-512 (`KAIZEN_AVX512`), 8 otherwise.
enum ShallowProductKernel {
    typealias Lanes = WideFloatVector
    static var width: Int { Lanes.scalarCount }

    /// Whether a product with inner dimension `k` and `m` output rows is shallow enough for these
    /// kernels (a convolution whose columns are no taller than its output channels).
    static func applies(k: Int, m: Int) -> Bool { k >= 1 && k <= m && k <= 64 }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> Lanes {
        UnsafeRawPointer(p).loadUnaligned(as: Lanes.self)
    }

    @inline(__always)
    private static func store(_ v: Lanes, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self)
    }

    /// c[i, j] = bias[i] (0 without) + sum_r a[i, r] * b[r, j] for columns `columns` of c, with
    /// a [m, k] row-major, b [k, *] and c [m, *] rows `ldb` and `ldc` apart.
    static func multiply(a: UnsafePointer<Float>, m: Int, k: Int, b: UnsafePointer<Float>, ldb: Int,
                         c: UnsafeMutablePointer<Float>, ldc: Int, columns: Range<Int>, bias: UnsafePointer<Float>?) {
        // a transposed ([k, m]): the four broadcasts of a step come from one pointer.
        withUnsafeTemporaryAllocation(of: Float.self, capacity: m * k) { buffer in
            let at = buffer.baseAddress!
            for i in 0..<m { for r in 0..<k { at[r * m + i] = a[i * k + r] } }
            let w = width, step = 2 * w
            var j = columns.lowerBound
            while j + step <= columns.upperBound {
                var i = 0
                while i + 4 <= m {
                    fourRowsTwoVectors(at: at + i, m: m, k: k, b: b + j, ldb: ldb, c: c + i * ldc + j, ldc: ldc,
                                       bias: bias.map { $0 + i })
                    i += 4
                }
                while i < m {
                    let start: Float = bias?[i] ?? 0
                    var s0 = Lanes(repeating: start), s1 = s0
                    var ap = at + i, bp = b + j
                    for _ in 0..<k {
                        let x = Lanes(repeating: ap.pointee)
                        s0.multiplyAdd(x, load(bp)); s1.multiplyAdd(x, load(bp + w))
                        ap += m; bp += ldb
                    }
                    store(s0, c + i * ldc + j); store(s1, c + i * ldc + j + w)
                    i += 1
                }
                j += step
            }
            // Fewer than two vectors of columns left.
            for i in 0..<m {
                for jj in j..<columns.upperBound {
                    var s = bias?[i] ?? 0
                    for r in 0..<k { s += at[r * m + i] * b[r * ldb + jj] }
                    c[i * ldc + jj] = s
                }
            }
        }
    }

    /// Four rows of c by two vectors of columns: eight accumulators, two loads of b and four
    /// broadcasts of a per step of r (multiply-add bound, not load bound). `at` is a transposed.
    @inline(__always)
    private static func fourRowsTwoVectors(at: UnsafePointer<Float>, m: Int, k: Int, b: UnsafePointer<Float>, ldb: Int,
                                           c: UnsafeMutablePointer<Float>, ldc: Int, bias: UnsafePointer<Float>?) {
        let w = width
        // The starting values are hoisted: `Lanes(repeating: bias?[0] ?? 0)` crashes Swift 6.3.1's
        // IR generation (a shufflevector without a mask) in an AVX-512 build.
        let start: (Float, Float, Float, Float) = bias.map { ($0[0], $0[1], $0[2], $0[3]) } ?? (0, 0, 0, 0)
        var c00 = Lanes(repeating: start.0), c01 = c00
        var c10 = Lanes(repeating: start.1), c11 = c10
        var c20 = Lanes(repeating: start.2), c21 = c20
        var c30 = Lanes(repeating: start.3), c31 = c30
        var ap = at, bp = b
        for _ in 0..<k {
            let b0 = load(bp), b1 = load(bp + w)
            let a0 = Lanes(repeating: ap[0]), a1 = Lanes(repeating: ap[1])
            let a2 = Lanes(repeating: ap[2]), a3 = Lanes(repeating: ap[3])
            c00.multiplyAdd(a0, b0); c01.multiplyAdd(a0, b1)
            c10.multiplyAdd(a1, b0); c11.multiplyAdd(a1, b1)
            c20.multiplyAdd(a2, b0); c21.multiplyAdd(a2, b1)
            c30.multiplyAdd(a3, b0); c31.multiplyAdd(a3, b1)
            ap += m; bp += ldb
        }
        let c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc
        store(c00, c); store(c01, c + w)
        store(c10, c1); store(c11, c1 + w)
        store(c20, c2); store(c21, c2 + w)
        store(c30, c3); store(c31, c3 + w)
    }

    /// out[i, r] = sum over t in 0..<batches and j in 0..<n of g_t[i, j] * b_t[r, j] (overwritten):
    /// a weight gradient gOut [m, n] * columns^T summed over `batches` images, with g_t = g + t *
    /// gBatchStride and b_t = b + t * bBatchStride, rows `ldg` and `ldb` apart, out [m, k] row-major.
    ///
    /// The pixels go in chunks of `chunkPixels` small enough that both operands' chunks stay in
    /// L1 while every block of outputs passes over them; the vector partial sums wait in memory
    /// between chunks, and the horizontal sums come once at the end.
    static func multiplyTransposed(g: UnsafePointer<Float>, m: Int, ldg: Int, b: UnsafePointer<Float>, k: Int, ldb: Int,
                                   n: Int, batches: Int = 1, gBatchStride: Int = 0, bBatchStride: Int = 0,
                                   out: UnsafeMutablePointer<Float>) {
        let w = width, vectorEnd = n - n % w
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: m * k) { buffer in
            let sums = buffer.baseAddress!
            sums.initialize(repeating: Lanes(repeating: 0), count: m * k)
            for t in 0..<batches {
                let gt = g + t * gBatchStride, bt = b + t * bBatchStride
                var j0 = 0
                while j0 < vectorEnd {
                    let count = min(chunkPixels, vectorEnd - j0)
                    var i = 0
                    while i < m {
                        let rows = min(4, m - i)
                        var r = 0
                        while r < k {
                            let taps = min(3, k - r)
                            if rows == 4 && taps == 3 {
                                fourByThreeDots(g: gt + i * ldg + j0, ldg: ldg, b: bt + r * ldb + j0, ldb: ldb, n: count,
                                                sums: sums + i * k + r, lds: k)
                            } else {
                                for ii in i..<(i + rows) {
                                    for rr in r..<(r + taps) {
                                        let gr = gt + ii * ldg + j0, br = bt + rr * ldb + j0
                                        var s = sums[ii * k + rr], j = 0
                                        while j < count { s.multiplyAdd(load(gr + j), load(br + j)); j += w }
                                        sums[ii * k + rr] = s
                                    }
                                }
                            }
                            r += taps
                        }
                        i += rows
                    }
                    j0 += count
                }
            }
            for i in 0..<m {
                for r in 0..<k {
                    var s = sums[i * k + r].sum()
                    for t in 0..<batches where vectorEnd < n {
                        let gr = g + t * gBatchStride + i * ldg, br = b + t * bBatchStride + r * ldb
                        for j in vectorEnd..<n { s += gr[j] * br[j] }
                    }
                    out[i * k + r] = s
                }
            }
        }
    }

    /// Pixels per chunk of `multiplyTransposed`: 32 + 27 rows of 256 floats are 59 KB, about L1.
    static let chunkPixels = 256

    /// Twelve dot products at once (four rows of g by three of b) added to `sums`: seven loads per
    /// twelve multiply-adds. `n` is a multiple of the vector width.
    @inline(__always)
    private static func fourByThreeDots(g: UnsafePointer<Float>, ldg: Int, b: UnsafePointer<Float>, ldb: Int, n: Int,
                                        sums: UnsafeMutablePointer<Lanes>, lds: Int) {
        let w = width
        let u1 = sums + lds, u2 = u1 + lds, u3 = u2 + lds
        var s00 = sums[0], s01 = sums[1], s02 = sums[2]
        var s10 = u1[0], s11 = u1[1], s12 = u1[2]
        var s20 = u2[0], s21 = u2[1], s22 = u2[2]
        var s30 = u3[0], s31 = u3[1], s32 = u3[2]
        // Rows other than the first are reached by constant offsets from the two walking pointers.
        var g0 = g, b0 = b, j = 0
        while j < n {
            let x0 = load(b0), x1 = load(b0 + ldb), x2 = load(b0 + 2 * ldb)
            let y0 = load(g0)
            s00.multiplyAdd(y0, x0); s01.multiplyAdd(y0, x1); s02.multiplyAdd(y0, x2)
            let y1 = load(g0 + ldg)
            s10.multiplyAdd(y1, x0); s11.multiplyAdd(y1, x1); s12.multiplyAdd(y1, x2)
            let y2 = load(g0 + 2 * ldg)
            s20.multiplyAdd(y2, x0); s21.multiplyAdd(y2, x1); s22.multiplyAdd(y2, x2)
            let y3 = load(g0 + 3 * ldg)
            s30.multiplyAdd(y3, x0); s31.multiplyAdd(y3, x1); s32.multiplyAdd(y3, x2)
            g0 += w; b0 += w; j &+= w
        }
        sums[0] = s00; sums[1] = s01; sums[2] = s02
        u1[0] = s10; u1[1] = s11; u1[2] = s12
        u2[0] = s20; u2[1] = s21; u2[2] = s22
        u3[0] = s30; u3[1] = s31; u3[2] = s32
    }
}
