/// Stochastic gradient descent with PyTorch's exact semantics: coupled L2 weight decay
/// (g + wd * p), momentum buffer initialised to the first gradient and then
/// buf = momentum * buf + (1 - dampening) * g, and Nesterov's g + momentum * buf.
public final class SGD: Optimizer {
    public var parameters: [Parameter]
    public var learningRate: Float
    public let momentum: Float
    public let dampening: Float
    public let weightDecay: Float
    public let nesterov: Bool
    public var state: [ObjectIdentifier: OptimizerState] = [:]

    public init(parameters: [Parameter] = [], lr: Float, momentum: Float = 0, dampening: Float = 0,
                weightDecay: Float = 0, nesterov: Bool = false) throws {
        try OptimizerArguments.check(lr, "lr", 0...Float.greatestFiniteMagnitude, "SGD")
        try OptimizerArguments.check(momentum, "momentum", 0...1, "SGD")
        try OptimizerArguments.check(dampening, "dampening", 0...1, "SGD")
        try OptimizerArguments.check(weightDecay, "weightDecay", 0...Float.greatestFiniteMagnitude, "SGD")
        if nesterov && (momentum <= 0 || dampening != 0) {
            throw KaizenError.invalidArgument(name: "nesterov", detail: "SGD: Nesterov momentum needs momentum > 0 and dampening 0")
        }
        self.parameters = parameters
        learningRate = lr
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
    }

    public func proposedUpdate(for parameter: Parameter, gradient: Tensor, state s: inout OptimizerState) throws -> Tensor {
        let g = try OptimizerArguments.checkGradient(gradient, for: parameter, "SGD")
        let n = parameter.count
        let d = Tensor(uninitializedShape: parameter.shape)
        let pg = g.basePointer, pp = parameter.value.basePointer, pd = d.basePointer
        let (lr, mom, damp, wd) = (learningRate, momentum, dampening, weightDecay)
        // d holds the decayed gradient first, then the direction, then the scaled displacement.
        Parallel.forRanges(n, costPerItem: 2) { r in for i in r { pd[i] = wd != 0 ? pg[i] + wd * pp[i] : pg[i] } }
        if mom != 0 {
            let buf: Tensor
            if let existing = s["momentum_buffer"] {
                buf = existing
                let pb = buf.basePointer
                Parallel.forRanges(n, costPerItem: 2) { r in for i in r { pb[i] = mom * pb[i] + (1 - damp) * pd[i] } }
            } else {
                buf = Tensor(uninitializedShape: parameter.shape)
                buf.basePointer.update(from: pd, count: n)
                s["momentum_buffer"] = buf
            }
            let pb = buf.basePointer
            if nesterov {
                Parallel.forRanges(n, costPerItem: 2) { r in for i in r { pd[i] += mom * pb[i] } }
            } else {
                pd.update(from: pb, count: n)
            }
        }
        Parallel.forRanges(n, costPerItem: 2) { r in for i in r { pd[i] *= lr } }
        s.step += 1
        return d
    }
}
