import Foundation

/// EfficientNet-Lite0 (Tan & Le 2019, the "Lite" variant for mobile: ReLU6, no squeeze-excitation,
/// fixed stem and head), as in the PyTorch port `efficientnet_lite_pytorch`: TensorFlow "SAME"
/// padding computed per input size (so any resolution works), BatchNorm eps 1e-3 and momentum
/// 0.01, 16 MBConv blocks, a 1280-channel head, global average pooling, dropout 0.2, and a
/// classifier `_fc` (1000 ImageNet classes until `replaceHead`).
public final class EfficientNetLite0: Layer {
    /// Hyper-parameters of the architecture (the defaults are EfficientNet-Lite0's).
    public struct Configuration: Sendable {
        /// BatchNorm epsilon (TensorFlow's 1e-3).
        public var batchNormEps: Float = 1e-3
        /// PyTorch-convention momentum (1 - TensorFlow's 0.99).
        public var batchNormMomentum: Float = 0.01
        /// Dropout before the classifier.
        public var dropoutRate: Float = 0.2
        /// Drop-connect rate of the last block; block i uses rate * i / 16.
        public var dropConnectRate: Float = 0.2
        public var classes: Int = 1000
        public init() {}
    }

    /// (repeats, kernel, stride, expand ratio, in, out) per stage, from the EfficientNet-B0 table.
    static let stages: [(Int, Int, Int, Int, Int, Int)] = [
        (1, 3, 1, 1, 32, 16), (2, 3, 2, 6, 16, 24), (2, 5, 2, 6, 24, 40), (3, 3, 2, 6, 40, 80),
        (3, 5, 1, 6, 80, 112), (4, 5, 2, 6, 112, 192), (1, 3, 1, 6, 192, 320),
    ]

    public let convStem: Conv2d
    public let bn0: BatchNorm2d
    public let blocks: [MBConvBlock]
    public let convHead: Conv2d
    public let bn1: BatchNorm2d
    public let dropout: Dropout
    public private(set) var fc: Linear
    public var trainingMode = true
    public let configuration: Configuration

    /// A randomly initialised network (use `load` or `pretrained` for the ImageNet weights).
    public init(configuration: Configuration = Configuration(), seed: UInt64 = 0) throws {
        self.configuration = configuration
        var rng = RandomGenerator(seed: seed)
        let eps = configuration.batchNormEps, mom = configuration.batchNormMomentum
        convStem = try Conv2d(3, 32, kernel: (3, 3), stride: (2, 2), padding: .same, bias: false, rng: &rng)
        bn0 = BatchNorm2d(32, eps: eps, momentum: mom)
        var configs: [MBConvBlock.Config] = []
        for (repeats, k, s, e, i, o) in EfficientNetLite0.stages {
            for r in 0..<repeats {
                configs.append(.init(inChannels: r == 0 ? i : o, outChannels: o, kernel: k, stride: r == 0 ? s : 1, expandRatio: e))
            }
        }
        blocks = try configs.enumerated().map { idx, c in
            try MBConvBlock(c, batchNormEps: eps, batchNormMomentum: mom,
                            dropConnectRate: configuration.dropConnectRate * Float(idx) / Float(configs.count), rng: &rng)
        }
        convHead = try Conv2d(320, 1280, kernel: (1, 1), padding: .same, bias: false, rng: &rng)
        bn1 = BatchNorm2d(1280, eps: eps, momentum: mom)
        dropout = try Dropout(p: configuration.dropoutRate, seed: rng.next())
        fc = Linear(1280, configuration.classes, rng: &rng)
    }

    public func namedChildren() -> [(String, any Module)] {
        [("_conv_stem", convStem), ("_bn0", bn0)]
            + blocks.enumerated().map { ("_blocks.\($0.offset)", $0.element as any Module) }
            + [("_conv_head", convHead), ("_bn1", bn1), ("_dropout", dropout), ("_fc", fc)]
    }

    /// The 1280-channel feature map before pooling ([N, 1280, H/32, W/32]).
    public func featureMap(_ x: Tensor) throws -> Tensor {
        try ConvBatchNorm.apply(convHead, bn1, headInput(x), relu6: true)
    }

    /// The input of `_conv_head` ([N, 320, H/32, W/32]): stem and blocks. FUNGI (GradFeatures)
    /// applies `convHead` and `bn1` itself on this to take per-sample gradients at `_conv_head`.
    public func headInput(_ x: Tensor) throws -> Tensor {
        guard x.rank == 4, x.shape[1] == 3 else {
            throw KaizenError.shapeMismatch(op: "EfficientNetLite0", detail: "input must be [N, 3, H, W], got \(Shape.describe(x.shape))")
        }
        var h = try ConvBatchNorm.apply(convStem, bn0, x, relu6: true)
        for block in blocks { h = try block(h) }
        return h
    }

    /// Pooled 1280-d features (the embedding).
    public func features(_ x: Tensor) throws -> Tensor {
        try Functional.globalAvgPool2d(featureMap(x))
    }

    /// Class logits.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try fc(dropout(features(x)))
    }

    /// Replaces the classifier with a freshly initialised one for `classes` outputs.
    public func replaceHead(classes: Int, seed: UInt64) throws {
        guard classes >= 1 else { throw KaizenError.invalidArgument(name: "classes", detail: "a head needs at least one class, got \(classes)") }
        var rng = RandomGenerator(seed: seed)
        fc = Linear(1280, classes, rng: &rng)
        fc.trainingMode = trainingMode
    }
}
