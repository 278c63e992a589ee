/// One mobile inverted-bottleneck block of EfficientNet-Lite (no squeeze-excitation):
/// optional 1x1 expansion, depthwise k x k, 1x1 projection, each with BatchNorm; ReLU6 after the
/// first two; identity skip (with drop-connect in training) when stride is 1 and channels match.
/// Parameter names follow the PyTorch port: `_expand_conv`, `_bn0`, `_depthwise_conv`, `_bn1`,
/// `_project_conv`, `_bn2`.
public final class MBConvBlock: Layer {
    public let expandConv: Conv2d?
    public let bn0: BatchNorm2d?
    public let depthwiseConv: Conv2d
    public let bn1: BatchNorm2d
    public let projectConv: Conv2d
    public let bn2: BatchNorm2d
    public let hasSkip: Bool
    /// Probability of dropping the residual branch per sample in training (scaled by depth).
    public var dropConnectRate: Float
    /// Drives drop-connect; seeded by the model.
    public var rng: RandomGenerator
    public var trainingMode = true

    public struct Config: Sendable, Equatable {
        public let inChannels: Int, outChannels: Int, kernel: Int, stride: Int, expandRatio: Int
    }

    public init(_ c: Config, batchNormEps: Float, batchNormMomentum: Float, dropConnectRate: Float,
                rng: inout RandomGenerator) throws {
        let hidden = c.inChannels * c.expandRatio
        if c.expandRatio != 1 {
            expandConv = try Conv2d(c.inChannels, hidden, kernel: (1, 1), padding: .same, bias: false, rng: &rng)
            bn0 = BatchNorm2d(hidden, eps: batchNormEps, momentum: batchNormMomentum)
        } else {
            expandConv = nil
            bn0 = nil
        }
        depthwiseConv = try Conv2d(hidden, hidden, kernel: (c.kernel, c.kernel), stride: (c.stride, c.stride),
                                   padding: .same, groups: hidden, bias: false, rng: &rng)
        bn1 = BatchNorm2d(hidden, eps: batchNormEps, momentum: batchNormMomentum)
        projectConv = try Conv2d(hidden, c.outChannels, kernel: (1, 1), padding: .same, bias: false, rng: &rng)
        bn2 = BatchNorm2d(c.outChannels, eps: batchNormEps, momentum: batchNormMomentum)
        hasSkip = c.stride == 1 && c.inChannels == c.outChannels
        self.dropConnectRate = dropConnectRate
        self.rng = RandomGenerator(seed: rng.next())
    }

    public func namedChildren() -> [(String, any Module)] {
        var out: [(String, any Module)] = []
        if let expandConv, let bn0 { out += [("_expand_conv", expandConv), ("_bn0", bn0)] }
        out += [("_depthwise_conv", depthwiseConv), ("_bn1", bn1), ("_project_conv", projectConv), ("_bn2", bn2)]
        return out
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        var x = input
        if let expandConv, let bn0 { x = try ConvBatchNorm.apply(expandConv, bn0, x, relu6: true) }
        x = try ConvBatchNorm.apply(depthwiseConv, bn1, x, relu6: true)
        x = try ConvBatchNorm.apply(projectConv, bn2, x, relu6: false)
        guard hasSkip else { return x }
        if trainingMode && dropConnectRate > 0 { x = try dropConnect(x) }
        return try x + input
    }

    /// Zeroes the whole residual branch of a sample with probability p, scaling survivors by 1/(1-p).
    private func dropConnect(_ x: Tensor) throws -> Tensor {
        let n = x.shape[0], keep = 1 - dropConnectRate
        let mask = Tensor(uninitializedShape: [n, 1, 1, 1])
        for i in 0..<n { mask.basePointer[i] = rng.nextFloat() < keep ? 1 / keep : 0 }
        return try x * mask
    }
}
