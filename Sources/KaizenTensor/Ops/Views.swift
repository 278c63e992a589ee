/// Views that change the layout without copying when possible: reshape, permute, transpose,
/// slice (narrow), expand (broadcast).
extension Tensor {
    /// Reshape; one dimension may be -1. A view when contiguous, a copy otherwise.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        var target = newShape
        let unknown = target.indices.filter { target[$0] == -1 }
        let known = target.filter { $0 != -1 }.reduce(1, *)
        if unknown.count == 1 {
            guard known > 0, count % known == 0 else {
                throw KaizenError.shapeMismatch(op: "reshape", detail: "cannot infer -1 reshaping \(Shape.describe(shape)) to \(Shape.describe(newShape))")
            }
            target[unknown[0]] = count / known
        }
        guard unknown.count <= 1, Shape.count(target) == count, target.allSatisfy({ $0 >= 0 }) else {
            throw KaizenError.shapeMismatch(op: "reshape", detail: "\(Shape.describe(shape)) (\(count) elements) to \(Shape.describe(newShape))")
        }
        let src = contiguous()
        let out = Tensor(storage: src.storage, shape: target, strides: Shape.contiguousStrides(target), offset: src.offset)
        let inShape = shape
        return Autograd.record("reshape", output: out, inputs: [src]) { g, _ in [try g.reshaped(inShape)] }
    }

    /// Flattens dimensions from `start` on into one.
    public func flattened(from start: Int = 0) throws -> Tensor {
        let s = try Shape.axis(start, rank: rank, op: "flatten")
        return try reshaped(Array(shape[..<s]) + [Shape.count(Array(shape[s...]))])
    }

    /// Reorders dimensions (a view).
    public func permuted(_ dims: [Int]) throws -> Tensor {
        guard dims.count == rank, Set(dims) == Set(0..<rank) else {
            throw KaizenError.invalidArgument(name: "dims", detail: "permute \(dims) is not a permutation of 0..<\(rank)")
        }
        let out = Tensor(storage: storage, shape: dims.map { shape[$0] }, strides: dims.map { strides[$0] }, offset: offset)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, d) in dims.enumerated() { inverse[d] = i }
        return Autograd.record("permute", output: out, inputs: [self]) { g, _ in [try g.permuted(inverse)] }
    }

    /// Swaps two dimensions (a view).
    public func transposed(_ a: Int = -2, _ b: Int = -1) throws -> Tensor {
        let a = try Shape.axis(a, rank: rank, op: "transpose"), b = try Shape.axis(b, rank: rank, op: "transpose")
        var dims = Array(0..<rank)
        dims.swapAt(a, b)
        return try permuted(dims)
    }

    /// The slice [start, start+length) along `axis` (a view).
    public func narrowed(axis: Int, start: Int, length: Int) throws -> Tensor {
        let a = try Shape.axis(axis, rank: rank, op: "narrow")
        guard start >= 0, length >= 0, start + length <= shape[a] else {
            throw KaizenError.invalidArgument(name: "slice", detail: "[\(start), \(start + length)) outside axis \(axis) of size \(shape[a])")
        }
        var newShape = shape
        newShape[a] = length
        let out = Tensor(storage: storage, shape: newShape, strides: strides, offset: offset + start * strides[a])
        let inShape = shape
        return Autograd.record("narrow", output: out, inputs: [self]) { g, _ in
            [try Tensor.padded(g, axis: a, before: start, total: inShape[a])]
        }
    }

    /// Places `g` at [before, before+len) along `axis` of a zero tensor whose axis has size `total`.
    static func padded(_ g: Tensor, axis: Int, before: Int, total: Int) throws -> Tensor {
        var outShape = g.shape
        outShape[axis] = total
        let out = Tensor.zeros(outShape)
        let gc = g.contiguousValues()
        let outer = Shape.count(Array(g.shape[..<axis])), inner = Shape.count(Array(g.shape[(axis + 1)...]))
        let len = g.shape[axis]
        let pg = gc.basePointer, po = out.basePointer
        for o in 0..<outer {
            (po + (o * total + before) * inner).update(from: pg + o * len * inner, count: len * inner)
        }
        return out
    }

    /// Broadcasts to `target` without copying (stride 0 on expanded dimensions).
    public func expanded(to target: [Int]) throws -> Tensor {
        guard let b = Shape.broadcast(shape, target), b == target else {
            throw KaizenError.shapeMismatch(op: "expand", detail: "\(Shape.describe(shape)) to \(Shape.describe(target))")
        }
        let extra = target.count - rank
        var newStrides = [Int](repeating: 0, count: target.count)
        for i in 0..<rank where shape[i] != 1 { newStrides[i + extra] = strides[i] }
        let out = Tensor(storage: storage, shape: target, strides: newStrides, offset: offset)
        let inShape = shape
        return Autograd.record("expand", output: out, inputs: [self]) { g, _ in [try g.sum(toShape: inShape)] }
    }

    /// Inserts a size-1 dimension at `axis`.
    public func unsqueezed(_ axis: Int) throws -> Tensor {
        let a = axis < 0 ? axis + rank + 1 : axis
        guard a >= 0, a <= rank else { throw KaizenError.invalidArgument(name: "axis", detail: "unsqueeze \(axis) for rank \(rank)") }
        var s = shape
        s.insert(1, at: a)
        return try reshaped(s)
    }
}
