import Foundation

/// Softmax, log-softmax and log-sum-exp, numerically stable (the row maximum is subtracted),
/// with fused last-axis kernels; other axes are moved last first.
enum SoftmaxKernel {
    /// out = softmax(row) or log_softmax(row) for each of `rows` rows of length n.
    static func forward(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, n: Int, log: Bool) {
        Parallel.forRanges(rows, costPerItem: n * 8) { range in
            for r in range {
                let xr = x + r * n, o = out + r * n
                let m = Kernels.max(xr, n)
                VectorMath.map(xr, o, n) { VectorMath.exp($0 - m) }
                let z = Kernels.sum(o, n)
                if log {
                    let lz = Foundation.logf(z) + m
                    for j in 0..<n { o[j] = xr[j] - lz }
                } else {
                    let inv = 1 / z
                    for j in 0..<n { o[j] *= inv }
                }
            }
        }
    }
}

extension Tensor {
    /// Softmax along `axis`.
    public func softmax(axis: Int = -1) throws -> Tensor { try softmaxFamily(axis: axis, log: false) }

    /// Log-softmax along `axis`.
    public func logSoftmax(axis: Int = -1) throws -> Tensor { try softmaxFamily(axis: axis, log: true) }

    private func softmaxFamily(axis: Int, log: Bool) throws -> Tensor {
        let a = try Shape.axis(axis, rank: rank, op: log ? "logSoftmax" : "softmax")
        if a != rank - 1 {
            return try transposed(a, rank - 1).softmaxFamily(axis: -1, log: log).transposed(a, rank - 1)
        }
        let n = shape[rank - 1], rows = count / Swift.max(n, 1)
        let x = contiguousValues()
        let out = Tensor(uninitializedShape: shape)
        SoftmaxKernel.forward(x.basePointer, out.basePointer, rows: rows, n: n, log: log)
        return Autograd.record(log ? "logSoftmax" : "softmax", output: out, inputs: [self]) { g, _ in
            let gc = g.contiguousValues()
            let gx = Tensor(uninitializedShape: out.shape)
            let pg = gc.basePointer, py = out.basePointer, po = gx.basePointer
            Parallel.forRanges(rows, costPerItem: n * 4) { range in
                for r in range {
                    let gr = pg + r * n, yr = py + r * n, o = po + r * n
                    if log {
                        // d/dx log_softmax: g - softmax * sum(g)
                        let s = Kernels.sum(gr, n)
                        for j in 0..<n { o[j] = gr[j] - Foundation.expf(yr[j]) * s }
                    } else {
                        // d/dx softmax: y * (g - <g, y>)
                        let dot = Kernels.dot(gr, yr, n)
                        for j in 0..<n { o[j] = yr[j] * (gr[j] - dot) }
                    }
                }
            }
            return [gx]
        }
    }

    /// log(sum(exp(x))) over `axes` (all when empty), stable for large values.
    public func logSumExp(axes: [Int] = [], keepDims: Bool = false) throws -> Tensor {
        let resolved = try (axes.isEmpty ? Array(0..<rank) : axes).map { try Shape.axis($0, rank: rank, op: "logSumExp") }
        let m = try noGrad { try self.max(axes: resolved, keepDims: true) }.detached()
        let kept = try (self - m).exp().sum(axes: resolved, keepDims: true).log() + m
        return keepDims ? kept : try kept.reshaped(reducedShape(Set(resolved), keepDims: false))
    }
}
