import Foundation

/// Adam on one scalar projection radius: FTP's "AdamUtil" (Algorithm 2 of Tian et al., NeurIPS 2023)
/// and TPGM's Adam on each per-layer radius. Moments are Float like the official float32 tensors;
/// the step is computed in Double and rounded once.
public struct RadiusAdam: Sendable, Equatable {
    /// Learning rate mu.
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float

    public init(learningRate: Float = 1e-2, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    /// Advances the moments `m`, `v` with gradient `g` and returns the new radius, with bias
    /// correction at step `t` (>= 1): gamma - mu * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
    public func step(radius: Float, gradient g: Float, m: inout Float, v: inout Float, t: Int) -> Float {
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        let bc1 = 1 - Foundation.pow(Double(beta1), Double(t))
        let bc2 = 1 - Foundation.pow(Double(beta2), Double(t))
        let mHat = Double(m) / bc1
        let vHat = Double(v) / bc2
        return Float(Double(radius) - Double(learningRate) * mHat / (vHat.squareRoot() + Double(epsilon)))
    }
}
