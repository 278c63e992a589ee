/// Per-parameter optimiser state: the number of updates taken and named tensors in PyTorch's
/// vocabulary (`momentum_buffer`, `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq`). The tensors are owned
/// by the optimiser and updated in place on their raw buffers; copy one before keeping it.
public struct OptimizerState {
    public var step: Int = 0
    public var tensors: [String: Tensor] = [:]

    public init(step: Int = 0, tensors: [String: Tensor] = [:]) {
        self.step = step
        self.tensors = tensors
    }

    public subscript(name: String) -> Tensor? {
        get { tensors[name] }
        set { tensors[name] = newValue }
    }

    /// The named tensor, created as zeros of `shape` on first use.
    mutating func buffer(_ name: String, shape: [Int]) -> Tensor {
        if let t = tensors[name] { return t }
        let t = Tensor.zeros(shape)
        tensors[name] = t
        return t
    }
}

/// A gradient-based optimiser with one per-parameter hook.
///
/// `proposedUpdate` computes the displacement `d` for one parameter (the new value is `value - d`,
/// with learning rate, momentum and weight decay all inside `d`) and advances that parameter's
/// state, without touching the parameter. The default `step()` applies it to every trainable
/// parameter that has a gradient. A wrapper (e.g. FTP's projection) implements its own `step()`
/// around `proposedUpdate`: it sees the parameter, its gradient, the proposed displacement and the
/// state (`state[ObjectIdentifier(p)]`), and decides what to write.
///
/// Different hyper-parameters for different parts of a model (PyTorch's parameter groups) are two
/// optimisers over disjoint parameter lists, stepped one after the other.
public protocol Optimizer: AnyObject {
    /// The parameters this optimiser updates (frozen ones and those without gradient are skipped).
    var parameters: [Parameter] { get set }
    /// The current learning rate; set it from a schedule before each step.
    var learningRate: Float { get set }
    /// Per-parameter state keyed by parameter identity.
    var state: [ObjectIdentifier: OptimizerState] { get set }

    func proposedUpdate(for parameter: Parameter, gradient: Tensor, state: inout OptimizerState) throws -> Tensor

    /// Updates every trainable parameter with a gradient, in place.
    func step() throws

    /// State as named tensors for checkpoints (a requirement so that wrappers can add their own).
    func stateEntries() -> [(String, Tensor)]
    /// Restores what `stateEntries()` wrote.
    func loadStateEntries(_ entries: [String: Tensor]) throws
}

extension Optimizer {
    public func step() throws {
        for p in parameters where !p.isFrozen {
            guard let g = p.grad else { continue }
            let id = ObjectIdentifier(p)
            var s = state[id] ?? OptimizerState()
            let d = try proposedUpdate(for: p, gradient: g, state: &s)
            state[id] = s
            try p.subtract(d)
        }
    }

    /// Clears the gradients of all parameters of this optimiser.
    public func zeroGrad() {
        for p in parameters { p.zeroGrad() }
    }

    /// The state of one parameter, if it has taken a step.
    public func state(of parameter: Parameter) -> OptimizerState? { state[ObjectIdentifier(parameter)] }

    /// State as named tensors for checkpoints, keyed by the parameter's position in `parameters`:
    /// `<index>.step` (a scalar) and `<index>.<name>`. The tensors are snapshots.
    public func stateEntries() -> [(String, Tensor)] {
        var out: [(String, Tensor)] = []
        for (i, p) in parameters.enumerated() {
            guard let s = state[ObjectIdentifier(p)] else { continue }
            out.append(("\(i).step", Tensor(scalar: Float(s.step))))
            for name in s.tensors.keys.sorted() {
                if let t = s.tensors[name] { out.append(("\(i).\(name)", RawCopy.owned(t))) }
            }
        }
        return out
    }

    /// Restores state written by `stateEntries()` for the same parameter list; unknown indices,
    /// and tensors whose shape differs from their parameter's, are errors naming the key.
    public func loadStateEntries(_ entries: [String: Tensor]) throws {
        var restored: [ObjectIdentifier: OptimizerState] = [:]
        for key in entries.keys.sorted() {
            guard let t = entries[key] else { continue }
            let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2, let index = Int(parts[0]), parameters.indices.contains(index) else {
                throw KaizenError.tensorName(name: key, reason: "not an optimiser state key for \(parameters.count) parameters (expected '<index>.<name>')")
            }
            let p = parameters[index]
            var s = restored[ObjectIdentifier(p)] ?? OptimizerState()
            if parts[1] == "step" {
                s.step = Int(try t.item())
            } else {
                guard t.shape == p.shape else {
                    throw KaizenError.tensorName(name: key, reason: "expected shape \(Shape.describe(p.shape)), got \(Shape.describe(t.shape))")
                }
                s.tensors[parts[1]] = RawCopy.owned(t)
            }
            restored[ObjectIdentifier(p)] = s
        }
        state = restored
    }
}

/// Argument checks shared by the optimisers.
enum OptimizerArguments {
    static func check(_ value: Float, _ name: String, _ range: ClosedRange<Float>, _ optimizer: String) throws {
        guard value.isFinite, range.contains(value) else {
            throw KaizenError.invalidArgument(name: name, detail: "\(optimizer): \(name) must be in \(range.lowerBound)...\(range.upperBound), got \(value)")
        }
    }

    static func checkGradient(_ g: Tensor, for p: Parameter, _ optimizer: String) throws -> Tensor {
        guard g.shape == p.shape else {
            throw KaizenError.shapeMismatch(op: optimizer, detail: "gradient \(Shape.describe(g.shape)) for parameter \(Shape.describe(p.shape))")
        }
        return g.contiguousValues()
    }
}
