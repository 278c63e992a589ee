extension Tensor {
    /// Sum of absolute values over `axes`.
    public func l1Norm(axes: [Int] = [], keepDims: Bool = false) throws -> Tensor {
        try abs().sum(axes: axes, keepDims: keepDims)
    }

    /// Euclidean norm over `axes`; the gradient x / max(norm, tiny) stays finite at zero.
    public func l2Norm(axes: [Int] = [], keepDims: Bool = false) throws -> Tensor {
        let squared = try (self * self).sum(axes: axes, keepDims: keepDims)
        let out = squared.map { $0.squareRoot() }
        return Autograd.record("l2Norm", output: out, inputs: [squared]) { g, _ in
            [try g * out.map { 0.5 / Swift.max($0, 1e-12) }]
        }
    }
}

extension Functional {
    /// x / max(|x|_2, eps) along `axis` (PyTorch F.normalize).
    public static func normalize(_ x: Tensor, axis: Int, eps: Float = 1e-12) throws -> Tensor {
        let norm = try x.l2Norm(axes: [axis], keepDims: true)
        return try x / norm.binary(.maximum, Tensor(scalar: eps))
    }

    /// Cosine similarity along `axis`: <a, b> / (max(|a|, eps) max(|b|, eps)).
    public static func cosineSimilarity(_ a: Tensor, _ b: Tensor, axis: Int, eps: Float = 1e-8) throws -> Tensor {
        let dot = try (a * b).sum(axes: [axis])
        let na = try a.l2Norm(axes: [axis]).binary(.maximum, Tensor(scalar: eps))
        let nb = try b.l2Norm(axes: [axis]).binary(.maximum, Tensor(scalar: eps))
        return try dot / (na * nb)
    }
}

extension Tensor {
    /// The k largest (or smallest) values along `axis` with their indices (ties to the lower index).
    /// Values carry the gradient back to their positions.
    public func topK(_ k: Int, axis: Int = -1, largest: Bool = true) throws -> (values: Tensor, indices: [Int]) {
        let a = try Shape.axis(axis, rank: rank, op: "topK")
        guard k >= 0 && k <= shape[a] else {
            throw KaizenError.invalidArgument(name: "k", detail: "topK \(k) on an axis of size \(shape[a])")
        }
        let moved = a == rank - 1 ? self : try transposed(a, rank - 1)
        let n = moved.shape[rank - 1], rows = moved.count / Swift.max(n, 1)
        let x = moved.contiguousValues()
        var flatIndices: [Int] = []
        var picked: [Int] = []
        flatIndices.reserveCapacity(rows * k)
        for r in 0..<rows {
            let row = x.basePointer + r * n
            let order = (0..<n).sorted { i, j in
                row[i] == row[j] ? i < j : (largest ? row[i] > row[j] : row[i] < row[j])
            }
            for j in order.prefix(k) { flatIndices.append(r * n + j); picked.append(j) }
        }
        let flat = try moved.reshaped([rows * n]).indexSelect(axis: 0, indices: flatIndices)
        var outShape = moved.shape
        outShape[rank - 1] = k
        let values = try flat.reshaped(outShape)
        return (a == rank - 1 ? values : try values.transposed(a, rank - 1), picked)
    }
}
