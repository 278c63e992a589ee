/// A trainable tensor shared by a module and the optimisers that update it. Identity is object
/// identity: optimisers and wrappers key per-parameter state by `ObjectIdentifier(parameter)`.
///
/// The value is a contiguous tensor over storage owned by this parameter alone. While trainable it
/// carries one leaf autograd node for the parameter's whole life: optimisers write the new values
/// into the same storage in place, so the node (and the graph built from it in the next forward)
/// need not be recreated. A graph recorded *before* an in-place update must not be backpropagated
/// *after* it (as in PyTorch without version counters); training loops never do that.
///
/// Frozen parameters hold a plain, untracked tensor: no gradient flows into them and optimisers
/// skip them. Unfreezing creates a fresh leaf node (any old gradient is dropped).
public final class Parameter {
    public private(set) var value: Tensor

    /// Whether the parameter is excluded from training.
    public var isFrozen: Bool {
        didSet {
            guard isFrozen != oldValue else { return }
            value = isFrozen ? value.detached() : value.detached().requiringGrad()
        }
    }

    /// Takes a private contiguous copy of `initial`, so in-place updates never reach other tensors.
    public init(_ initial: Tensor, frozen: Bool = false) {
        let copy = RawCopy.owned(initial)
        isFrozen = frozen
        value = frozen ? copy : copy.requiringGrad()
    }

    public var shape: [Int] { value.shape }
    public var count: Int { value.count }

    /// The gradient accumulated by `backward()`, or nil (always nil when frozen). Setting replaces it
    /// (used by gradient clipping and optimiser wrappers); never mutate a gradient's storage in
    /// place, since backward may share one gradient buffer between several tensors.
    public var grad: Tensor? {
        get { value.grad }
        set { value.node?.grad = newValue }
    }

    /// Drops the accumulated gradient.
    public func zeroGrad() { value.node?.grad = nil }

    /// Copies `source`'s values into the parameter's storage (same shape required).
    public func copyValues(from source: Tensor, name: String = "parameter") throws {
        try RawCopy.copy(source, into: value, name: name)
    }

    /// Runs `body` over the parameter's values in place (no autograd; for optimisers and projections).
    public func withMutableValues<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeMutableBufferPointer(start: value.basePointer, count: value.count))
    }

    /// value -= scale * delta, in place. Throws when the shapes differ.
    public func subtract(_ delta: Tensor, scale: Float = 1) throws {
        guard delta.shape == value.shape else {
            throw KaizenError.shapeMismatch(op: "Parameter.subtract",
                                            detail: "update \(Shape.describe(delta.shape)) for parameter \(Shape.describe(value.shape))")
        }
        let d = delta.contiguousValues()
        let pd = d.basePointer, pv = value.basePointer
        Parallel.forRanges(value.count, costPerItem: 2) { r in for i in r { pv[i] -= scale * pd[i] } }
    }
}

/// A non-trainable tensor that belongs to a module's state (BatchNorm's running statistics).
/// Saved and loaded with the state dict, never seen by optimisers; updated in place.
public final class Buffer {
    public let value: Tensor

    /// Takes a private contiguous copy of `initial`.
    public init(_ initial: Tensor) {
        value = RawCopy.owned(initial)
    }

    public var shape: [Int] { value.shape }

    /// Copies `source`'s values into the buffer's storage (same shape required).
    public func copyValues(from source: Tensor, name: String = "buffer") throws {
        try RawCopy.copy(source, into: value, name: name)
    }
}

/// Copies between tensors of the same shape on raw buffers.
enum RawCopy {
    static func owned(_ t: Tensor) -> Tensor {
        let copy = Tensor(uninitializedShape: t.shape)
        let src = t.contiguousValues()
        copy.basePointer.update(from: src.basePointer, count: src.count)
        return copy
    }

    static func copy(_ source: Tensor, into destination: Tensor, name: String) throws {
        guard source.shape == destination.shape else {
            throw KaizenError.tensorName(name: name, reason: "expected shape \(Shape.describe(destination.shape)), got \(Shape.describe(source.shape))")
        }
        let src = source.contiguousValues()
        destination.basePointer.update(from: src.basePointer, count: src.count)
    }
}
