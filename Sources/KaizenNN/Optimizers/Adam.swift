import Foundation

/// Adam with PyTorch's exact semantics: coupled L2 weight decay (g + wd * p, as in `torch.optim.Adam`),
/// bias-corrected moments, and eps added outside the square root:
/// d = lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps). Optional AMSGrad.
public final class Adam: Optimizer {
    public var parameters: [Parameter]
    public var learningRate: Float
    public let beta1: Float, beta2: Float, eps: Float, weightDecay: Float
    public let amsgrad: Bool
    public var state: [ObjectIdentifier: OptimizerState] = [:]

    public init(parameters: [Parameter] = [], lr: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999), eps: Float = 1e-8,
                weightDecay: Float = 0, amsgrad: Bool = false) throws {
        try AdamUpdate.validate(lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, name: "Adam")
        self.parameters = parameters
        learningRate = lr
        (beta1, beta2) = betas
        self.eps = eps
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
    }

    public func proposedUpdate(for parameter: Parameter, gradient: Tensor, state s: inout OptimizerState) throws -> Tensor {
        try AdamUpdate.displacement(parameter, gradient, &s, lr: learningRate, beta1: beta1, beta2: beta2, eps: eps,
                                    coupledDecay: weightDecay, decoupledDecay: 0, amsgrad: amsgrad, name: "Adam")
    }
}

/// The Adam family's shared per-parameter update on raw buffers.
enum AdamUpdate {
    static func validate(lr: Float, betas: (Float, Float), eps: Float, weightDecay: Float, name: String) throws {
        try OptimizerArguments.check(lr, "lr", 0...Float.greatestFiniteMagnitude, name)
        try OptimizerArguments.check(betas.0, "beta1", 0...0.9999999, name)
        try OptimizerArguments.check(betas.1, "beta2", 0...0.9999999, name)
        try OptimizerArguments.check(eps, "eps", 0...Float.greatestFiniteMagnitude, name)
        try OptimizerArguments.check(weightDecay, "weightDecay", 0...Float.greatestFiniteMagnitude, name)
    }

    /// Advances m, v (and the AMSGrad maximum) and returns the displacement, including the
    /// decoupled decay lr * wd * p when `decoupledDecay` is non-zero (AdamW).
    static func displacement(_ parameter: Parameter, _ gradient: Tensor, _ s: inout OptimizerState, lr: Float,
                             beta1: Float, beta2: Float, eps: Float, coupledDecay: Float, decoupledDecay: Float,
                             amsgrad: Bool, name: String) throws -> Tensor {
        let g = try OptimizerArguments.checkGradient(gradient, for: parameter, name)
        let n = parameter.count
        s.step += 1
        let m = s.buffer("exp_avg", shape: parameter.shape), v = s.buffer("exp_avg_sq", shape: parameter.shape)
        let vMax = amsgrad ? s.buffer("max_exp_avg_sq", shape: parameter.shape) : v
        let t = Double(s.step)
        let bc1 = 1 - Foundation.pow(Double(beta1), t), bc2 = 1 - Foundation.pow(Double(beta2), t)
        let stepSize = Float(Double(lr) / bc1), bc2Sqrt = Float(bc2.squareRoot())
        let decay = lr * decoupledDecay
        let d = Tensor(uninitializedShape: parameter.shape)
        let pg = g.basePointer, pp = parameter.value.basePointer, pm = m.basePointer, pv = v.basePointer
        let pmax = vMax.basePointer, pd = d.basePointer
        // Branch-free loops (weight decays of 0 add exact zeros for finite values) so they vectorise.
        Parallel.forRanges(n, costPerItem: 12) { r in
            if amsgrad {
                for i in r {
                    let gi = pg[i] + coupledDecay * pp[i]
                    pm[i] = beta1 * pm[i] + (1 - beta1) * gi
                    pv[i] = beta2 * pv[i] + (1 - beta2) * gi * gi
                    pmax[i] = Swift.max(pmax[i], pv[i])
                    pd[i] = stepSize * pm[i] / (pmax[i].squareRoot() / bc2Sqrt + eps) + decay * pp[i]
                }
            } else {
                for i in r {
                    let gi = pg[i] + coupledDecay * pp[i]
                    pm[i] = beta1 * pm[i] + (1 - beta1) * gi
                    pv[i] = beta2 * pv[i] + (1 - beta2) * gi * gi
                    pd[i] = stepSize * pm[i] / (pv[i].squareRoot() / bc2Sqrt + eps) + decay * pp[i]
                }
            }
        }
        return d
    }
}
