/// Max, min, argmax and variance over axes.
extension Tensor {
    /// Maximum over `axes` (all when empty); the gradient goes to the first maximal element.
    public func max(axes: [Int] = [], keepDims: Bool = false) throws -> Tensor {
        try extremum(axes: axes, keepDims: keepDims, largest: true)
    }

    /// Minimum over `axes` (all when empty); the gradient goes to the first minimal element.
    public func min(axes: [Int] = [], keepDims: Bool = false) throws -> Tensor {
        try extremum(axes: axes, keepDims: keepDims, largest: false)
    }

    private func extremum(axes: [Int], keepDims: Bool, largest: Bool) throws -> Tensor {
        let op = largest ? "max" : "min"
        let (rows, _, reducedAxes) = try rowsOver(axes, op: op)
        let outer = rows.shape[0], n = rows.shape[1]
        guard n > 0 else { throw KaizenError.invalidArgument(name: "axes", detail: "\(op) over an empty dimension") }
        let x = rows.contiguousValues()
        let out = Tensor(uninitializedShape: [outer])
        var arg = [Int](repeating: 0, count: outer)
        let px = x.basePointer, po = out.basePointer
        for i in 0..<outer {
            let row = px + i * n
            var best = 0
            if largest { for j in 1..<n where row[j] > row[best] { best = j } }
            else { for j in 1..<n where row[j] < row[best] { best = j } }
            arg[i] = best
            po[i] = row[best]
        }
        let reduced = Autograd.record(op, output: out, inputs: [rows]) { g, _ in
            let gx = Tensor.zeros([outer, n])
            let pg = g.contiguousValues().basePointer, pgx = gx.basePointer
            for i in 0..<outer { pgx[i * n + arg[i]] = pg[i] }
            return [gx]
        }
        return try reduced.reshaped(reducedShape(reducedAxes, keepDims: keepDims))
    }

    /// Index of the largest value along `axis` for every other position (row-major), ties to the first.
    public func argmax(axis: Int) throws -> [Int] {
        let (rows, _, _) = try noGrad { try rowsOver([axis], op: "argmax") }
        let outer = rows.shape[0], n = rows.shape[1]
        let p = rows.contiguousValues().basePointer
        return (0..<outer).map { i in
            var best = 0
            for j in 1..<Swift.max(n, 1) where p[i * n + j] > p[i * n + best] { best = j }
            return best
        }
    }

    /// Variance over `axes`; `unbiased` divides by n - 1 (PyTorch's default) instead of n.
    public func variance(axes: [Int] = [], keepDims: Bool = false, unbiased: Bool = true) throws -> Tensor {
        let m = try mean(axes: axes, keepDims: true)
        let d = try self - m
        let (_, _, n) = try axesLast(axes, op: "variance")
        let denom = Float(Swift.max(unbiased ? n - 1 : n, 1))
        return try (d * d).sum(axes: axes, keepDims: keepDims) * (1 / denom)
    }
}
