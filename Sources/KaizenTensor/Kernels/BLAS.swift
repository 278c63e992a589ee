#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// The one door to BLAS. Matrix products pass transpose flags and leading dimensions instead of
/// materialising transposes, and run on Kaizen's threads (`Parallel.maxThreads`, as every kernel):
/// a large product is cut into blocks of rows or columns (`ProductBlocks`), one single-threaded
/// OpenBLAS call per block. OpenBLAS's own threads are switched off (process-wide, the only way
/// OpenBLAS offers): between calls they spin on the cores Kaizen's workers need, and they cut
/// small products such as one image of a 1x1 conv at a loss (2-thread 1x1 convs 5-48% faster
/// without them, BENCHMARKS.md). Not for use inside a parallel loop (it would nest one).
public enum BLAS {
    /// C = alpha * op(A) * op(B) + beta * C, row-major. op(A) is m x k, op(B) is k x n.
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            if beta == 0 { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
            else { for i in 0..<m { for j in 0..<n { c[i * ldc + j] *= beta } } }
            return
        }
        let ta = transA ? CblasTrans : CblasNoTrans, tb = transB ? CblasTrans : CblasNoTrans
        forEachBlock(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                     c: c, ldc: ldc) { rows, columns, a, b, c in
            cblas_sgemm(CblasRowMajor, ta, tb, rows, columns, Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        }
    }

    /// Double-precision C = alpha * op(A) * op(B) + beta * C, row-major (distances that need 53 bits).
    public static func dgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double = 1,
                             a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                             beta: Double = 0, c: UnsafeMutablePointer<Double>, ldc: Int) {
        if m == 0 || n == 0 || k == 0 { return }
        let ta = transA ? CblasTrans : CblasNoTrans, tb = transB ? CblasTrans : CblasNoTrans
        forEachBlock(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                     c: c, ldc: ldc) { rows, columns, a, b, c in
            cblas_dgemm(CblasRowMajor, ta, tb, rows, columns, Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        }
    }

    /// y = alpha * op(A) x + beta * y, row-major A of m x n.
    public static func sgemv(trans: Bool, m: Int, n: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                             x: UnsafePointer<Float>, beta: Float = 0, y: UnsafeMutablePointer<Float>) {
        if m == 0 || n == 0 { return }
        // As a product with one column: the outputs (rows of op(A)) are cut between the threads.
        let outputs = trans ? n : m, inputs = trans ? m : n
        forEachBlock(m: outputs, n: 1, k: inputs) { rows, _ in
            let sub = trans ? (Int32(m), Int32(rows.count)) : (Int32(rows.count), Int32(n))
            cblas_sgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, sub.0, sub.1, alpha,
                        a + rows.lowerBound * (trans ? 1 : lda), Int32(lda), x, 1, beta, y + rows.lowerBound, 1)
        }
    }

    /// Runs `product(rows, columns, a, b, c)` for each block of C, with the operands moved to the
    /// block: row i of op(A) starts at i * lda (at column i when transposed), column j of op(B) at j
    /// (at row j when transposed).
    private static func forEachBlock<T>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                                        a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                                        c: UnsafeMutablePointer<T>, ldc: Int,
                                        _ product: (Int32, Int32, UnsafePointer<T>, UnsafePointer<T>, UnsafeMutablePointer<T>) -> Void) {
        forEachBlock(m: m, n: n, k: k) { rows, columns in
            product(Int32(rows.count), Int32(columns.count), a + rows.lowerBound * (transA ? 1 : lda),
                    b + columns.lowerBound * (transB ? ldb : 1), c + rows.lowerBound * ldc + columns.lowerBound)
        }
    }

    /// Runs the blocks of a product; OpenBLAS's own threads are off before the first block runs.
    private static func forEachBlock(m: Int, n: Int, k: Int, _ body: (Range<Int>, Range<Int>) -> Void) {
        #if canImport(Accelerate)
        body(0..<m, 0..<n)  // Accelerate threads itself and has no thread setting to turn off.
        #else
        // Checked on every call, not once: other code in the process may have changed the setting.
        if openblas_get_num_threads() != 1 { openblas_set_num_threads(1) }
        ProductBlocks.forEach(m: m, n: n, k: k, body)
        #endif
    }
}
