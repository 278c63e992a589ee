/// Principal component analysis fitted on training features only (centred, no whitening, as
/// sklearn's PCA with full SVD). The same mean and components then transform train and test.
public struct PCA: Sendable {
    /// Training mean, [d].
    public let mean: [Float]
    /// Components as rows, [D, d], by decreasing explained variance.
    public let components: Tensor
    public let explainedVariance: [Double]

    /// Fits `dimensions` components on `train` [N, d]. Throws when dimensions >= d or >= N, the
    /// cases where the FUNGI protocol skips PCA (check `PCA.applies` first).
    public init(fit train: Tensor, dimensions: Int) throws {
        guard train.rank == 2 else {
            throw KaizenError.shapeMismatch(op: "PCA", detail: "expected [N, d], got \(Shape.describe(train.shape))")
        }
        let n = train.shape[0], d = train.shape[1]
        guard PCA.applies(dimensions: dimensions, samples: n, features: d) else {
            throw KaizenError.invalidArgument(name: "--pca", detail: "\(dimensions) components need fewer than \(d) features and \(n) samples")
        }
        let x = train.contiguousValues()
        var mean = [Float](repeating: 0, count: d)
        let px = x.basePointer
        for i in 0..<n { for j in 0..<d { mean[j] += px[i * d + j] } }
        for j in 0..<d { mean[j] /= Float(n) }
        let centred = Tensor(uninitializedShape: [n, d])
        let pc = centred.basePointer
        Parallel.forRanges(n, costPerItem: d) { r in
            for i in r { for j in 0..<d { pc[i * d + j] = px[i * d + j] - mean[j] } }
        }
        let cov = Tensor(uninitializedShape: [d, d])
        BLAS.sgemm(transA: true, transB: false, m: d, n: d, k: n, alpha: 1 / Float(max(n - 1, 1)),
                   a: pc, lda: d, b: pc, ldb: d, c: cov.basePointer, ldc: d)
        let covValues = cov.scalars.map(Double.init)
        let (values, vectors) = try SymmetricEigen.decompose(covValues, n: d)
        let comps = Tensor(uninitializedShape: [dimensions, d])
        let po = comps.basePointer
        for c in 0..<dimensions { for j in 0..<d { po[c * d + j] = Float(vectors[c * d + j]) } }
        self.mean = mean
        components = comps
        explainedVariance = Array(values.prefix(dimensions))
    }

    /// Whether PCA to `dimensions` is meaningful (otherwise features are used as they are).
    public static func applies(dimensions: Int, samples: Int, features: Int) -> Bool {
        dimensions > 0 && dimensions < features && dimensions < samples
    }

    /// Projects [M, d] features onto the components: (x - mean) V^T, [M, D].
    public func transform(_ x: Tensor) throws -> Tensor {
        let d = mean.count
        guard x.rank == 2, x.shape[1] == d else {
            throw KaizenError.shapeMismatch(op: "PCA.transform", detail: "expected [M, \(d)], got \(Shape.describe(x.shape))")
        }
        let m = x.shape[0], dims = components.shape[0]
        let xc = x.contiguousValues()
        let centred = Tensor(uninitializedShape: [m, d])
        let px = xc.basePointer, pc = centred.basePointer
        Parallel.forRanges(m, costPerItem: d) { r in
            for i in r { for j in 0..<d { pc[i * d + j] = px[i * d + j] - mean[j] } }
        }
        let out = Tensor(uninitializedShape: [m, dims])
        BLAS.sgemm(transA: false, transB: true, m: m, n: dims, k: d, a: pc, lda: d,
                   b: components.basePointer, ldb: d, c: out.basePointer, ldc: dims)
        return out
    }
}
