import KaizenTensor
import KaizenNN

/// A small convolutional classifier (four conv-BN-ReLU blocks, global average pooling, a linear
/// head; about 100k parameters) to train from scratch where a pretrained model is not the point,
/// e.g. a base model that learned a shortcut for the debiasing benchmark.
public final class SmallCNN: ImageClassifier {
    /// Output channels of the four blocks; the last three halve the resolution.
    public static let defaultWidths = [16, 32, 64, 128]

    public let convs: [Conv2d]
    public let norms: [BatchNorm2d]
    public private(set) var head: Linear
    public var trainingMode = true

    public init(classes: Int, inputChannels: Int = 3, widths: [Int] = SmallCNN.defaultWidths, seed: UInt64 = 0) throws {
        guard classes >= 1 else { throw KaizenError.invalidArgument(name: "classes", detail: "a classifier needs at least one class, got \(classes)") }
        guard !widths.isEmpty, widths.allSatisfy({ $0 > 0 }) else {
            throw KaizenError.invalidArgument(name: "widths", detail: "SmallCNN needs positive block widths, got \(widths)")
        }
        var rng = RandomGenerator(seed: seed)
        var convs: [Conv2d] = [], norms: [BatchNorm2d] = []
        var inC = inputChannels
        for (i, w) in widths.enumerated() {
            let s = i == 0 ? 1 : 2
            convs.append(try Conv2d(inC, w, kernel: (3, 3), stride: (s, s), padding: .symmetric(1), bias: false, rng: &rng))
            norms.append(BatchNorm2d(w))
            inC = w
        }
        self.convs = convs
        self.norms = norms
        head = Linear(inC, classes, rng: &rng)
    }

    public func namedChildren() -> [(String, any Module)] {
        var out: [(String, any Module)] = []
        for i in convs.indices {
            out.append(("blocks.\(i).conv", convs[i]))
            out.append(("blocks.\(i).bn", norms[i]))
        }
        out.append(("head", head))
        return out
    }

    public func features(_ x: Tensor) throws -> Tensor {
        guard x.rank == 4, x.shape[1] == convs[0].weight.shape[1] else {
            throw KaizenError.shapeMismatch(op: "SmallCNN", detail: "input must be [N, \(convs[0].weight.shape[1]), H, W], got \(Shape.describe(x.shape))")
        }
        var h = x
        for i in convs.indices { h = try norms[i](convs[i](h)).relu() }
        return try Functional.globalAvgPool2d(h)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor { try head(features(x)) }

    public var headParameterNames: [String] { ["head.weight", "head.bias"] }
    public var featureDimension: Int { head.inFeatures }
    public var architectureName: String { "small-cnn" }

    public func replaceHead(classes: Int, seed: UInt64) throws {
        guard classes >= 1 else { throw KaizenError.invalidArgument(name: "classes", detail: "a head needs at least one class, got \(classes)") }
        var rng = RandomGenerator(seed: seed)
        head = Linear(featureDimension, classes, rng: &rng)
        head.trainingMode = trainingMode
    }
}
