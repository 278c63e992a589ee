/// How a `Conv2d` pads its input.
public enum ConvPadding: Sendable, Equatable {
    /// The same padding for every input size (PyTorch's `padding=`).
    case fixed(Padding2D)
    /// TensorFlow "SAME", computed from each input's height and width (possibly asymmetric);
    /// the output is ceil(input / stride).
    case same

    /// Symmetric padding `p` on all sides.
    public static func symmetric(_ p: Int) -> ConvPadding { .fixed(.symmetric(p)) }
}

/// 2-D convolution over NCHW images (PyTorch's `nn.Conv2d`; weight [out, in/groups, kh, kw]).
public final class Conv2d: Layer {
    public let weight: Parameter
    public let bias: Parameter?
    public let stride: (Int, Int)
    public let padding: ConvPadding
    public let dilation: (Int, Int)
    public let groups: Int
    public var trainingMode = true

    /// PyTorch's default initialisation: weight and bias U(±1/sqrt(fanIn)), fanIn = in/groups * kh * kw.
    public init(_ inChannels: Int, _ outChannels: Int, kernel: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: ConvPadding = .symmetric(0), dilation: (Int, Int) = (1, 1), groups: Int = 1,
                bias: Bool = true, rng: inout RandomGenerator) throws {
        guard groups >= 1, inChannels % groups == 0, outChannels % groups == 0 else {
            throw KaizenError.invalidArgument(name: "groups", detail: "Conv2d: \(groups) groups must divide in (\(inChannels)) and out (\(outChannels)) channels")
        }
        guard kernel.0 >= 1, kernel.1 >= 1, stride.0 >= 1, stride.1 >= 1, dilation.0 >= 1, dilation.1 >= 1 else {
            throw KaizenError.invalidArgument(name: "kernel/stride/dilation", detail: "Conv2d: all must be >= 1")
        }
        let fanIn = inChannels / groups * kernel.0 * kernel.1
        weight = Parameter(Initializers.kaimingUniform([outChannels, inChannels / groups, kernel.0, kernel.1], fanIn: fanIn, rng: &rng))
        self.bias = bias ? Parameter(Initializers.defaultBias(outChannels, fanIn: fanIn, rng: &rng)) : nil
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }

    /// From given values (weight [out, in/groups, kh, kw], bias [out]).
    public init(weight: Tensor, bias: Tensor?, stride: (Int, Int) = (1, 1), padding: ConvPadding = .symmetric(0),
                dilation: (Int, Int) = (1, 1), groups: Int = 1) throws {
        guard weight.rank == 4, groups >= 1, weight.shape[0] % groups == 0 else {
            throw KaizenError.shapeMismatch(op: "Conv2d", detail: "weight must be [out, in/groups, kh, kw] with out divisible by groups \(groups), got \(Shape.describe(weight.shape))")
        }
        if let bias, bias.shape != [weight.shape[0]] {
            throw KaizenError.shapeMismatch(op: "Conv2d", detail: "bias must be [\(weight.shape[0])], got \(Shape.describe(bias.shape))")
        }
        self.weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }

    public var kernel: (Int, Int) { (weight.shape[2], weight.shape[3]) }

    public func localParameters() -> [(String, Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// The padding applied to an input of the given spatial size.
    public func padding(inputHeight: Int, inputWidth: Int) -> Padding2D {
        switch padding {
        case .fixed(let p): return p
        case .same: return .same(inputHeight: inputHeight, inputWidth: inputWidth, kernel: kernel, stride: stride, dilation: dilation)
        }
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard x.rank == 4 else {
            throw KaizenError.shapeMismatch(op: "Conv2d", detail: "input must be [N, C, H, W], got \(Shape.describe(x.shape))")
        }
        return try Functional.conv2d(x, weight: weight.value, bias: bias?.value, stride: stride,
                                     padding: padding(inputHeight: x.shape[2], inputWidth: x.shape[3]),
                                     dilation: dilation, groups: groups)
    }
}
