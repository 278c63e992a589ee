import Foundation

/// Softmax, log-softmax and log-sum-exp, numerically stable (the row maximum is subtracted),
/// with fused last-axis kernels; other axes are moved last first.
enum SoftmaxKernel {
    /// The shift subtracted before exponentiating: the row maximum, or 0 when that is infinite
    /// (an all -inf row then gives exp = 0 instead of NaN from -inf - -inf).
    @inline(__always)
    static func shift(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        let m = VectorMath.max(x, n)
        return m.isFinite ? m : 0
    }

    /// Stores e^(x - m) into o (when given) and returns its sum, a `VectorMath.Vector` at a time.
    @inline(__always)
    static func expShifted(_ x: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>?, _ n: Int, _ m: Float) -> Float {
        let rx = UnsafeRawPointer(x)
        let mv = VectorMath.Vector(repeating: m)
        var acc = VectorMath.Vector()
        var i = 0
        while i + VectorMath.lanes <= n {
            let e = VectorMath.exp(rx.loadUnaligned(fromByteOffset: i * 4, as: VectorMath.Vector.self) - mv)
            if let o { UnsafeMutableRawPointer(o).storeBytes(of: e, toByteOffset: i * 4, as: VectorMath.Vector.self) }
            acc += e
            i += VectorMath.lanes
        }
        var z = acc.sum()
        if i < n {
            var v = VectorMath.Vector(repeating: -.infinity)
            for j in 0..<(n - i) { v[j] = x[i + j] }
            let e = VectorMath.exp(v - mv)
            for j in 0..<(n - i) { o?[i + j] = e[j]; z += e[j] }
        }
        return z
    }

    /// out = softmax(row) or log_softmax(row) for each of `rows` rows of length n.
    static func forward(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, n: Int, log: Bool) {
        Parallel.forRanges(rows, costPerItem: n * 8) { range in
            for r in range {
                let xr = x + r * n, o = out + r * n
                let m = shift(xr, n)
                if log {
                    let lz = Foundation.logf(expShifted(xr, nil, n, m)) + m
                    for j in 0..<n { o[j] = xr[j] - lz }
                } else {
                    let inv = 1 / expShifted(xr, o, n, m)
                    for j in 0..<n { o[j] *= inv }
                }
            }
        }
    }

    /// out[r] = log(sum(e^row)) for each of `rows` rows of length n.
    static func logSumExp(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, n: Int) {
        Parallel.forRanges(rows, costPerItem: n * 8) { range in
            for r in range {
                let xr = x + r * n
                let m = shift(xr, n)
                out[r] = Foundation.logf(expShifted(xr, nil, n, m)) + m
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
                        VectorMath.exp(yr, o, n)
                        for j in 0..<n { o[j] = gr[j] - o[j] * s }
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

    /// log(sum(exp(x))) over `axes` (all when empty), stable for large values. The reduced axes
    /// are moved last (a copy only when they are not already trailing) and run as fused rows.
    public func logSumExp(axes: [Int] = [], keepDims: Bool = false) throws -> Tensor {
        let (rows, _, reducedAxes) = try rowsOver(axes, op: "logSumExp")
        let outer = rows.shape[0], n = rows.shape[1]
        let x = rows.contiguousValues()
        let out = Tensor(uninitializedShape: [outer])
        SoftmaxKernel.logSumExp(x.basePointer, out.basePointer, rows: outer, n: n)
        let reduced = Autograd.record("logSumExp", output: out, inputs: [rows]) { g, _ in
            // d lse / dx = softmax(x) = e^(x - lse)
            let gc = g.contiguousValues()
            let gx = Tensor(uninitializedShape: [outer, n])
            let pg = gc.basePointer, px = x.basePointer, pl = out.basePointer, po = gx.basePointer
            Parallel.forRanges(outer, costPerItem: n * 8) { range in
                for r in range {
                    let lse = pl[r]
                    let shift = lse.isFinite ? lse : 0
                    _ = SoftmaxKernel.expShifted(px + r * n, po + r * n, n, shift)
                    let s = pg[r]
                    for j in 0..<n { po[r * n + j] *= s }
                }
            }
            return [gx]
        }
        return try reduced.reshaped(reducedShape(reducedAxes, keepDims: keepDims))
    }
}
