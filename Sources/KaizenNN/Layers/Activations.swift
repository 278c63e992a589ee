/// An elementwise activation as a layer (no parameters): ReLU, ReLU6, GELU (erf form), sigmoid,
/// tanh, SiLU, or identity.
public class Activation: Layer {
    /// The function applied.
    public enum Kind: String, Sendable, CaseIterable {
        case identity, relu, relu6, gelu, sigmoid, tanh, silu
    }

    public let kind: Kind
    public var trainingMode = true

    public init(_ kind: Kind) { self.kind = kind }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        switch kind {
        case .identity: return x
        case .relu: return x.relu()
        case .relu6: return x.relu6()
        case .gelu: return x.gelu()
        case .sigmoid: return x.sigmoid()
        case .tanh: return x.tanh()
        case .silu: return x.silu()
        }
    }
}

/// max(x, 0) (PyTorch's `nn.ReLU`; the activation layers read like PyTorch in `Sequential`).
public final class ReLU: Activation { public init() { super.init(.relu) } }
/// min(max(x, 0), 6) (MobileNet / EfficientNet-Lite).
public final class ReLU6: Activation { public init() { super.init(.relu6) } }
/// x * Phi(x) with the exact erf form (BERT).
public final class GELU: Activation { public init() { super.init(.gelu) } }
/// 1 / (1 + e^-x).
public final class Sigmoid: Activation { public init() { super.init(.sigmoid) } }
/// Hyperbolic tangent.
public final class Tanh: Activation { public init() { super.init(.tanh) } }
/// x * sigmoid(x) (swish).
public final class SiLU: Activation { public init() { super.init(.silu) } }
/// Returns its input (a placeholder layer, e.g. a removed head).
public final class Identity: Activation { public init() { super.init(.identity) } }

/// Flattens dimensions from `startDim` on (PyTorch's `nn.Flatten`, default 1: keeps the batch).
public final class Flatten: Layer {
    public let startDim: Int
    public var trainingMode = true

    public init(startDim: Int = 1) { self.startDim = startDim }

    public func callAsFunction(_ x: Tensor) throws -> Tensor { try x.flattened(from: startDim) }
}
