#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// Eigen-decomposition of a symmetric matrix in Float64 through LAPACK's dsyevd (divide and
/// conquer), used by PCA. Double precision because covariance spectra span many decades.
public enum SymmetricEigen {
    /// Eigenvalues in descending order and the matching unit eigenvectors as rows ([n][n] row-major).
    public static func decompose(_ matrix: [Double], n: Int) throws -> (values: [Double], vectors: [Double]) {
        guard matrix.count == n * n, n > 0 else {
            throw KaizenError.shapeMismatch(op: "SymmetricEigen", detail: "\(matrix.count) values for a \(n) x \(n) matrix")
        }
        var a = matrix  // row-major symmetric == column-major symmetric
        var w = [Double](repeating: 0, count: n)
        var nn = Int32(n), lda = Int32(n), info: Int32 = 0
        var jobz = Int8(UInt8(ascii: "V")), uplo = Int8(UInt8(ascii: "U"))
        var lwork: Int32 = -1, liwork: Int32 = -1
        var workQuery = 0.0
        var iworkQuery: Int32 = 0
        dsyevd_(&jobz, &uplo, &nn, &a, &lda, &w, &workQuery, &lwork, &iworkQuery, &liwork, &info)
        lwork = Int32(workQuery)
        liwork = iworkQuery
        var work = [Double](repeating: 0, count: Int(max(lwork, 1)))
        var iwork = [Int32](repeating: 0, count: Int(max(liwork, 1)))
        dsyevd_(&jobz, &uplo, &nn, &a, &lda, &w, &work, &lwork, &iwork, &liwork, &info)
        guard info == 0 else {
            throw KaizenError.numerical(detail: "dsyevd failed with info \(info) on a \(n) x \(n) matrix")
        }
        // Column-major eigenvectors: column j of `a` is the j-th eigenvector (ascending). Reverse.
        var values = [Double](repeating: 0, count: n)
        var vectors = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            let src = n - 1 - j
            values[j] = w[src]
            for i in 0..<n { vectors[j * n + i] = a[src * n + i] }
        }
        return (values, vectors)
    }
}
