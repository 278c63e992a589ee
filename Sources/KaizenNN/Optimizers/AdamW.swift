/// AdamW (PyTorch's `torch.optim.AdamW`): Adam with decoupled weight decay, p <- p - lr * wd * p,
/// applied to the pre-step value and not bias-corrected. Default weight decay 0.01.
public final class AdamW: Optimizer {
    public var parameters: [Parameter]
    public var learningRate: Float
    public let beta1: Float, beta2: Float, eps: Float, weightDecay: Float
    public let amsgrad: Bool
    public var state: [ObjectIdentifier: OptimizerState] = [:]

    public init(parameters: [Parameter] = [], lr: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999), eps: Float = 1e-8,
                weightDecay: Float = 1e-2, amsgrad: Bool = false) throws {
        try AdamUpdate.validate(lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, name: "AdamW")
        self.parameters = parameters
        learningRate = lr
        (beta1, beta2) = betas
        self.eps = eps
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
    }

    public func proposedUpdate(for parameter: Parameter, gradient: Tensor, state s: inout OptimizerState) throws -> Tensor {
        try AdamUpdate.displacement(parameter, gradient, &s, lr: learningRate, beta1: beta1, beta2: beta2, eps: eps,
                                    coupledDecay: 0, decoupledDecay: weightDecay, amsgrad: amsgrad, name: "AdamW")
    }
}
