import KaizenTensor
import KaizenNN

/// L2-SP ("Explicit Inductive Bias for Transfer Learning with Convolutional Networks", Li, Grandvalet,
/// Davoine, ICML 2018): a penalty pulling the pre-trained backbone towards its starting point,
/// Omega(w) = alpha / 2 * ||w_S - w0_S||^2 + beta / 2 * ||w_head||^2,
/// where S are the backbone parameters (anchored at construction) and the head is the new layer.
/// Call it each step and add the result to the loss: it is a differentiable scalar tensor.
public struct L2SPPenalty {
    /// Strength alpha of the pull towards the pre-trained values (paper: 0.1 or 0.01, by validation).
    public var alpha: Float
    /// Strength beta of plain weight decay on the head (paper: 0.01; 0 disables it).
    public var beta: Float
    /// Backbone parameters with their anchors w0.
    public let anchored: [(name: String, parameter: Parameter, anchor: Tensor)]
    /// Head parameters (decayed towards 0 with beta).
    public let head: [(name: String, parameter: Parameter)]

    /// Anchors every parameter of `namedParameters` not in `headNames` at its current value. Frozen
    /// parameters are skipped at evaluation. Throws when a head name is unknown or alpha/beta < 0.
    public init(namedParameters: [(String, Parameter)], headNames: Set<String>, alpha: Float = 0.1, beta: Float = 0.01) throws {
        guard alpha.isFinite, alpha >= 0 else {
            throw KaizenError.invalidArgument(name: "alpha", detail: "L2-SP: alpha must be a finite value >= 0, got \(alpha)")
        }
        guard beta.isFinite, beta >= 0 else {
            throw KaizenError.invalidArgument(name: "beta", detail: "L2-SP: beta must be a finite value >= 0, got \(beta)")
        }
        let headIDs = try ParameterNames.resolve(headNames, in: namedParameters, method: "L2-SP")
        self.alpha = alpha
        self.beta = beta
        anchored = namedParameters.filter { !headIDs.contains(ObjectIdentifier($0.1)) }.map { ($0.0, $0.1, $0.1.value.copied()) }
        head = namedParameters.filter { headIDs.contains(ObjectIdentifier($0.1)) }.map { ($0.0, $0.1) }
    }

    /// The penalty as a scalar tensor whose gradient flows into the (trainable) parameters.
    public func callAsFunction() throws -> Tensor {
        var total: Tensor?
        func add(_ term: Tensor) throws { total = try total.map { try $0 + term } ?? term }
        if alpha != 0 {
            for (_, p, anchor) in anchored where !p.isFrozen {
                let diff = try p.value - anchor
                try add((try (diff * diff).sum()) * (alpha / 2))
            }
        }
        if beta != 0 {
            for (_, p) in head where !p.isFrozen {
                try add((try (p.value * p.value).sum()) * (beta / 2))
            }
        }
        return total ?? Tensor(scalar: 0)
    }
}
