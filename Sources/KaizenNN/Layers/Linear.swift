/// y = x W^T + b over the last dimension (PyTorch's `nn.Linear`; weight [out, in], bias [out]).
public final class Linear: Layer {
    public let weight: Parameter
    public let bias: Parameter?
    public var trainingMode = true

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    /// PyTorch's default initialisation: weight and bias U(±1/sqrt(in)).
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, rng: inout RandomGenerator) {
        weight = Parameter(Initializers.kaimingUniform([outFeatures, inFeatures], fanIn: inFeatures, rng: &rng))
        self.bias = bias ? Parameter(Initializers.defaultBias(outFeatures, fanIn: inFeatures, rng: &rng)) : nil
    }

    /// From given values (weight [out, in], bias [out]).
    public init(weight: Tensor, bias: Tensor?) throws {
        guard weight.rank == 2 else {
            throw KaizenError.shapeMismatch(op: "Linear", detail: "weight must be [out, in], got \(Shape.describe(weight.shape))")
        }
        if let bias, bias.shape != [weight.shape[0]] {
            throw KaizenError.shapeMismatch(op: "Linear", detail: "bias must be [\(weight.shape[0])], got \(Shape.describe(bias.shape))")
        }
        self.weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
    }

    public func localParameters() -> [(String, Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard x.rank >= 1, x.shape[x.rank - 1] == inFeatures else {
            throw KaizenError.shapeMismatch(op: "Linear", detail: "input \(Shape.describe(x.shape)) must end in \(inFeatures) features")
        }
        let y = try x.matmul(weight.value.transposed())
        guard let bias else { return y }
        return try y + bias.value
    }
}
