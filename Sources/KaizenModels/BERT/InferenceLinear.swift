/// Linear layers for inference (no autograd) with the epilogue inside the matrix product: the
/// output starts as bias (+ residual) and BLAS accumulates x W^T into it (beta = 1), so no separate
/// bias or residual pass. Several layers sharing one input write side by side into one output.
enum InferenceLinear {
    /// x [..., in] -> [..., sum of outFeatures]; `residual` (same shape as the output, one layer only)
    /// is added.
    static func apply(_ layers: [Linear], _ x: Tensor, residual: Tensor? = nil) -> Tensor {
        let xc = x.contiguousValues()
        let inFeatures = xc.shape[xc.rank - 1], rows = xc.count / Swift.max(inFeatures, 1)
        let n = layers.reduce(0) { $0 + $1.outFeatures }
        let out = Tensor(uninitializedShape: Array(xc.shape.dropLast()) + [n])
        let po = out.basePointer
        var column = 0
        for layer in layers {
            let width = layer.outFeatures
            let w = layer.weight.value.contiguousValues()
            if let bias = layer.bias?.value.contiguousValues() {
                for r in 0..<rows { (po + r * n + column).update(from: bias.basePointer, count: width) }
            } else {
                for r in 0..<rows { (po + r * n + column).update(repeating: 0, count: width) }
            }
            if let residual {
                let pr = residual.contiguousValues().basePointer
                for r in 0..<rows { for j in 0..<width { po[r * n + column + j] += pr[r * width + j] } }
            }
            BLAS.sgemm(transA: false, transB: true, m: rows, n: width, k: inFeatures, a: xc.basePointer, lda: inFeatures,
                       b: w.basePointer, ldb: inFeatures, beta: 1, c: po + column, ldc: n)
            column += width
        }
        return out
    }
}
