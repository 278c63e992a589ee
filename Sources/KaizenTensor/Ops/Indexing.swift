/// Concatenation, stacking, row selection and embedding lookup.
extension Tensor {
    /// Concatenates along `axis`; all other dimensions must agree.
    public static func concat(_ tensors: [Tensor], axis: Int) throws -> Tensor {
        guard let first = tensors.first else { throw KaizenError.invalidArgument(name: "tensors", detail: "concat of an empty list") }
        let a = try Shape.axis(axis, rank: first.rank, op: "concat")
        for t in tensors where t.rank != first.rank || (0..<first.rank).contains(where: { $0 != a && t.shape[$0] != first.shape[$0] }) {
            throw KaizenError.shapeMismatch(op: "concat", detail: "\(Shape.describe(t.shape)) vs \(Shape.describe(first.shape)) along axis \(axis)")
        }
        var outShape = first.shape
        outShape[a] = tensors.reduce(0) { $0 + $1.shape[a] }
        let out = Tensor(uninitializedShape: outShape)
        let outer = Shape.count(Array(first.shape[..<a])), inner = Shape.count(Array(first.shape[(a + 1)...]))
        let total = outShape[a]
        var offset = 0
        var offsets: [Int] = []
        for t in tensors {
            offsets.append(offset)
            let c = t.contiguousValues(), len = t.shape[a]
            for o in 0..<outer {
                (out.basePointer + (o * total + offset) * inner).update(from: c.basePointer + o * len * inner, count: len * inner)
            }
            offset += len
        }
        return Autograd.record("concat", output: out, inputs: tensors) { g, needs in
            try tensors.indices.map { i in
                needs[i] ? try g.narrowed(axis: a, start: offsets[i], length: tensors[i].shape[a]).contiguousValues() : nil
            }
        }
    }

    /// Stacks equal-shape tensors along a new `axis`.
    public static func stack(_ tensors: [Tensor], axis: Int) throws -> Tensor {
        guard let first = tensors.first else { throw KaizenError.invalidArgument(name: "tensors", detail: "stack of an empty list") }
        for t in tensors where t.shape != first.shape {
            throw KaizenError.shapeMismatch(op: "stack", detail: "\(Shape.describe(t.shape)) vs \(Shape.describe(first.shape))")
        }
        return try concat(try tensors.map { try $0.unsqueezed(axis) }, axis: axis)
    }

    /// Picks `indices` along `axis` (repeats allowed); the backward scatter-adds.
    public func indexSelect(axis: Int, indices: [Int]) throws -> Tensor {
        let a = try Shape.axis(axis, rank: rank, op: "indexSelect")
        let size = shape[a]
        if let bad = indices.firstIndex(where: { $0 < 0 || $0 >= size }) {
            throw KaizenError.invalidArgument(name: "indices", detail: "index \(indices[bad]) at position \(bad) is outside 0..<\(size) on axis \(axis)")
        }
        let outer = Shape.count(Array(shape[..<a])), inner = Shape.count(Array(shape[(a + 1)...]))
        var outShape = shape
        outShape[a] = indices.count
        let x = contiguousValues()
        let out = Tensor(uninitializedShape: outShape)
        let k = indices.count
        for o in 0..<outer {
            for (r, i) in indices.enumerated() {
                (out.basePointer + (o * k + r) * inner).update(from: x.basePointer + (o * size + i) * inner, count: inner)
            }
        }
        let inShape = shape
        return Autograd.record("indexSelect", output: out, inputs: [self]) { g, _ in
            let gc = g.contiguousValues()
            let gx = Tensor.zeros(inShape)
            for o in 0..<outer {
                for (r, i) in indices.enumerated() {
                    let dst = gx.basePointer + (o * size + i) * inner, src = gc.basePointer + (o * k + r) * inner
                    for j in 0..<inner { dst[j] += src[j] }
                }
            }
            return [gx]
        }
    }

    /// For [N, C], the values x[i, indices[i]] as [N].
    public func pickPerRow(_ indices: [Int]) throws -> Tensor {
        guard rank == 2, indices.count == shape[0] else {
            throw KaizenError.shapeMismatch(op: "pickPerRow", detail: "\(indices.count) indices for \(Shape.describe(shape))")
        }
        let n = shape[0], c = shape[1]
        if let bad = indices.firstIndex(where: { $0 < 0 || $0 >= c }) {
            throw KaizenError.invalidArgument(name: "indices", detail: "index \(indices[bad]) at row \(bad) is outside 0..<\(c)")
        }
        let x = contiguousValues()
        let out = Tensor(uninitializedShape: [n])
        for i in 0..<n { out.basePointer[i] = x.basePointer[i * c + indices[i]] }
        return Autograd.record("pickPerRow", output: out, inputs: [self]) { g, _ in
            let gx = Tensor.zeros([n, c])
            let pg = g.contiguousValues().basePointer
            for i in 0..<n { gx.basePointer[i * c + indices[i]] = pg[i] }
            return [gx]
        }
    }
}

extension Functional {
    /// Rows of `weight` [V, D] for `ids`, shaped `shape + [D]`; the backward scatter-adds into weight.
    public static func embedding(_ weight: Tensor, ids: [Int], shape: [Int]) throws -> Tensor {
        guard weight.rank == 2 else {
            throw KaizenError.shapeMismatch(op: "embedding", detail: "weight must be [V, D], got \(Shape.describe(weight.shape))")
        }
        guard Shape.count(shape) == ids.count else {
            throw KaizenError.shapeMismatch(op: "embedding", detail: "\(ids.count) ids for shape \(Shape.describe(shape))")
        }
        return try weight.indexSelect(axis: 0, indices: ids).reshaped(shape + [weight.shape[1]])
    }
}
