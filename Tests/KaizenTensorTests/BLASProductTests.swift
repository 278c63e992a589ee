import CBLAS
import Synchronization
import Testing
@testable import KaizenTensor

/// `BLAS` cuts products into row or column blocks on Kaizen's threads: every block must land on its
/// own part of C with the right operand offsets, for each transpose flag, leading dimensions wider
/// than the matrices, alpha and beta; and OpenBLAS's own threads must be off.
@Suite struct BLASProductTests {
    /// C = alpha * op(A) op(B) + beta * C in double precision, row-major with leading dimensions.
    private static func reference(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                                  a: [Float], lda: Int, b: [Float], ldb: Int, beta: Double,
                                  c: [Float], ldc: Int) -> [Float] {
        var out = c
        for i in 0..<m { for j in 0..<n {
            var s = 0.0
            for p in 0..<k {
                let x = transA ? a[p * lda + i] : a[i * lda + p]
                let y = transB ? b[j * ldb + p] : b[p * ldb + j]
                s += Double(x) * Double(y)
            }
            out[i * ldc + j] = Float(alpha * s + beta * Double(c[i * ldc + j]))
        } }
        return out
    }

    /// Tall (rows cut), wide (columns cut), odd sizes that leave a partial last block, and one too
    /// small to cut; each with every transpose combination, on 1, 2 and 3 threads.
    @Test(arguments: [(m: 200, n: 40, k: 70), (m: 40, n: 203, k: 50), (m: 97, n: 93, k: 33), (m: 8, n: 9, k: 5)])
    func cutProductsMatchADoublePrecisionLoop(shape: (m: Int, n: Int, k: Int)) {
        let (m, n, k) = shape
        var rng = RandomGenerator(seed: 11)
        for (transA, transB) in [(false, false), (true, false), (false, true), (true, true)] {
            let lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 5, ldc = n + 7
            let a = (0..<((transA ? k : m) * lda)).map { _ in rng.nextFloat() * 2 - 1 }
            let b = (0..<((transB ? n : k) * ldb)).map { _ in rng.nextFloat() * 2 - 1 }
            let c0 = (0..<(m * ldc)).map { _ in rng.nextFloat() * 2 - 1 }
            let expected = Self.reference(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5,
                                          a: a, lda: lda, b: b, ldb: ldb, beta: -1.5, c: c0, ldc: ldc)
            for threads in [1, 2, 3] {
                var c = c0
                Parallel.$maxThreads.withValue(threads) {
                    BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a, lda: lda,
                               b: b, ldb: ldb, beta: -1.5, c: &c, ldc: ldc)
                }
                let worst = zip(c, expected).map { abs($0 - $1) }.max() ?? 0
                #expect(worst < 1e-4, "m \(m) n \(n) k \(k) transA \(transA) transB \(transB) threads \(threads): off by \(worst)")
            }
        }
    }

    @Test func cutDoubleProductsAndMatrixVectorProductsMatchLoops() {
        var rng = RandomGenerator(seed: 12)
        let m = 300, n = 130, k = 90
        let a = (0..<(m * k)).map { _ in Double(rng.nextFloat()) }
        let b = (0..<(n * k)).map { _ in Double(rng.nextFloat()) }
        var c = [Double](repeating: 0, count: m * n)
        Parallel.$maxThreads.withValue(2) {
            BLAS.dgemm(transA: false, transB: true, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: k, c: &c, ldc: n)
        }
        var worst = 0.0
        for i in 0..<m { for j in 0..<n {
            var s = 0.0
            for p in 0..<k { s += a[i * k + p] * b[j * k + p] }
            worst = max(worst, abs(s - c[i * n + j]))
        } }
        #expect(worst < 1e-10)

        // y = A x and y = A^T x for a 700 x 600 matrix, large enough to be cut.
        let rows = 700, cols = 600
        let matrix = (0..<(rows * cols)).map { _ in rng.nextFloat() - 0.5 }
        for trans in [false, true] {
            let x = (0..<(trans ? rows : cols)).map { _ in rng.nextFloat() - 0.5 }
            var y = [Float](repeating: 1, count: trans ? cols : rows)
            Parallel.$maxThreads.withValue(2) {
                BLAS.sgemv(trans: trans, m: rows, n: cols, alpha: 2, a: matrix, lda: cols, x: x, beta: 1, y: &y)
            }
            var off: Float = 0
            for o in 0..<y.count {
                var s = 0.0
                for i in 0..<x.count { s += Double(trans ? matrix[i * cols + o] : matrix[o * cols + i]) * Double(x[i]) }
                off = max(off, abs(Float(2 * s + 1) - y[o]))
            }
            #expect(off < 1e-3, "trans \(trans): off by \(off)")
        }
    }

    @Test func blocksTileTheProductAndSmallOnesStayWhole() {
        let seen = Mutex<[(Range<Int>, Range<Int>)]>([])
        Parallel.$maxThreads.withValue(2) {
            ProductBlocks.forEach(m: 40, n: 1000, k: 64) { r, c in seen.withLock { $0.append((r, c)) } }
        }
        let blocks = seen.withLock { $0 }.sorted { $0.1.lowerBound < $1.1.lowerBound }
        #expect(blocks.count == 2)
        #expect(blocks.allSatisfy { $0.0 == 0..<40 })
        #expect(blocks.first?.1.lowerBound == 0 && blocks.last?.1.upperBound == 1000)
        #expect(blocks.count == 2 && blocks[0].1.upperBound == blocks[1].1.lowerBound && blocks[0].1.upperBound % 16 == 0)

        seen.withLock { $0 = [] }
        Parallel.$maxThreads.withValue(2) {
            ProductBlocks.forEach(m: 16, n: 16, k: 16) { r, c in seen.withLock { $0.append((r, c)) } }
        }
        #expect(seen.withLock { $0.count } == 1, "a 16x16x16 product is too small to hand to a worker")
    }

    @Test func openBLASRunsSingleThreadedOnceAProductRan() {
        var c = [Float](repeating: 0, count: 4)
        BLAS.sgemm(transA: false, transB: false, m: 2, n: 2, k: 2, a: [1, 2, 3, 4], lda: 2, b: [1, 0, 0, 1], ldb: 2, c: &c, ldc: 2)
        #expect(c == [1, 2, 3, 4])
        #expect(openblas_get_num_threads() == 1)
    }
}
