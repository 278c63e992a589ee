/// A dense Float32 tensor: row-major, NCHW for images. A value type over shared storage; views
/// (reshape of contiguous data, permute, slice) share storage, `contiguous()` copies when needed.
///
/// A tensor takes part in autograd when it has a `node`: parameters carry a leaf node, and op
/// outputs carry an op node while grad mode is enabled and an input is tracked.
public struct Tensor: @unchecked Sendable {
    public let shape: [Int]
    public let strides: [Int]
    public let offset: Int
    public let storage: TensorStorage
    public internal(set) var node: GradNode?

    /// Wraps storage with an explicit layout (no copy).
    public init(storage: TensorStorage, shape: [Int], strides: [Int], offset: Int = 0, node: GradNode? = nil) {
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.node = node
    }

    /// A contiguous tensor over freshly allocated, uninitialised storage. Kernels fill it.
    public init(uninitializedShape shape: [Int]) {
        self.init(storage: TensorStorage(uninitializedCount: Shape.count(shape)), shape: shape,
                  strides: Shape.contiguousStrides(shape))
    }

    /// A tensor filled with one value.
    public init(shape: [Int], repeating value: Float) {
        self.init(storage: TensorStorage(count: Shape.count(shape), repeating: value), shape: shape,
                  strides: Shape.contiguousStrides(shape))
    }

    /// A tensor from row-major values; throws if the count does not match the shape.
    public init(shape: [Int], values: [Float]) throws {
        guard values.count == Shape.count(shape) else {
            throw KaizenError.shapeMismatch(op: "Tensor(shape:values:)",
                                            detail: "\(values.count) values for shape \(Shape.describe(shape))")
        }
        self.init(uninitializedShape: shape)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { storage.pointer.update(from: base, count: values.count) }
        }
    }

    /// A 0-d tensor.
    public init(scalar: Float) { self.init(shape: [], repeating: scalar) }

    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 1) }
    public static func zeros(like t: Tensor) -> Tensor { Tensor(shape: t.shape, repeating: 0) }

    public var rank: Int { shape.count }
    public var count: Int { Shape.count(shape) }
    /// Whether elements are laid out row-major without gaps (the offset may be non-zero).
    public var isContiguous: Bool {
        var expected = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) where shape[i] != 1 {
            if strides[i] != expected { return false }
            expected *= shape[i]
        }
        return true
    }

    /// Pointer to the first element of this view.
    @inlinable public var basePointer: UnsafeMutablePointer<Float> { storage.pointer + offset }

    /// Whether this tensor is tracked by autograd.
    public var requiresGrad: Bool { node != nil }

    /// The accumulated gradient of a leaf (parameters), or of a node that retains its gradient.
    public var grad: Tensor? { node?.grad }

    /// The same values, cut from the graph.
    public func detached() -> Tensor { Tensor(storage: storage, shape: shape, strides: strides, offset: offset) }

    /// A leaf tensor that requires grad (used by parameters; ops never create leaves).
    public func requiringGrad() -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides, offset: offset, node: GradNode(leafShape: shape))
    }

    /// Row-major copy of the values.
    public var scalars: [Float] {
        let c = contiguousValues()
        return Array(UnsafeBufferPointer(start: c.basePointer, count: c.count))
    }

    /// The single value of a one-element tensor.
    public func item() throws -> Float {
        guard count == 1 else {
            throw KaizenError.invalidArgument(name: "tensor", detail: "item() needs one element, shape is \(Shape.describe(shape))")
        }
        return contiguousValues().basePointer.pointee
    }

    /// A contiguous copy of the values, detached and without recording (for kernels and IO).
    public func contiguousValues() -> Tensor {
        if isContiguous { return detached() }
        let out = Tensor(uninitializedShape: shape)
        StridedCopy.copy(from: self, to: out.basePointer)
        return out
    }

    /// Contiguous tensor with the same values; records an identity edge for autograd.
    public func contiguous() -> Tensor {
        if isContiguous { return self }
        let out = contiguousValues()
        return Autograd.record("contiguous", output: out, inputs: [self]) { g, _ in [g] }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let vals = scalars
        let shown = vals.prefix(8).map { String(format: "%.4g", Double($0)) }.joined(separator: ", ")
        return "Tensor\(Shape.describe(shape))[\(shown)\(vals.count > 8 ? ", ..." : "")]"
    }
}
