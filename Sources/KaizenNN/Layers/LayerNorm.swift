/// Layer normalisation over the trailing `normalizedShape` dimensions (PyTorch's `nn.LayerNorm`),
/// with the biased variance and an optional elementwise affine map.
public final class LayerNorm: Layer {
    public let normalizedShape: [Int]
    public let weight: Parameter?
    public let bias: Parameter?
    public let eps: Float
    public var trainingMode = true

    public init(_ normalizedShape: [Int], eps: Float = 1e-5, elementwiseAffine: Bool = true) {
        self.normalizedShape = normalizedShape
        self.eps = eps
        weight = elementwiseAffine ? Parameter(.ones(normalizedShape)) : nil
        bias = elementwiseAffine ? Parameter(.zeros(normalizedShape)) : nil
    }

    public convenience init(_ features: Int, eps: Float = 1e-5, elementwiseAffine: Bool = true) {
        self.init([features], eps: eps, elementwiseAffine: elementwiseAffine)
    }

    public func localParameters() -> [(String, Parameter)] {
        (weight.map { [("weight", $0)] } ?? []) + (bias.map { [("bias", $0)] } ?? [])
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let k = normalizedShape.count
        guard x.rank >= k, Array(x.shape.suffix(k)) == normalizedShape else {
            throw KaizenError.shapeMismatch(op: "LayerNorm", detail: "input \(Shape.describe(x.shape)) must end in \(Shape.describe(normalizedShape))")
        }
        if k == 1 { return try Functional.layerNorm(x, weight: weight?.value, bias: bias?.value, eps: eps) }
        // Several trailing dimensions: composed from differentiable ops.
        let axes = Array((x.rank - k)..<x.rank)
        let mean = try x.mean(axes: axes, keepDims: true)
        let centred = try x - mean
        let variance = try (centred * centred).mean(axes: axes, keepDims: true)
        var y = try centred / (variance + eps).sqrt()
        if let weight { y = try y * weight.value }
        if let bias { y = try y + bias.value }
        return y
    }
}
