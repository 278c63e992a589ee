import KaizenDebias
import KaizenModels

/// conv(3→6, 3×3) → BatchNorm (non-trivial running statistics) → ReLU → global average pool → linear head.
final class TinyNet: ImageClassifier {
    let conv: Conv2d
    let bn: BatchNorm2d
    let head: Linear
    var trainingMode = true

    init(seed: UInt64, classes: Int = 3, width: Int = 6) throws {
        var rng = RandomGenerator(seed: seed)
        conv = try Conv2d(3, width, kernel: (3, 3), padding: .symmetric(1), rng: &rng)
        bn = BatchNorm2d(width)
        head = Linear(width, classes, rng: &rng)
        try bn.runningMean.copyValues(from: rng.uniform([width], low: -0.1, high: 0.1))
        try bn.runningVar.copyValues(from: rng.uniform([width], low: 0.5, high: 1.5))
        try bn.weight?.copyValues(from: rng.uniform([width], low: 0.5, high: 1.5))
        try bn.bias?.copyValues(from: rng.uniform([width], low: -0.2, high: 0.2))
    }

    func namedChildren() -> [(String, any Module)] { [("conv", conv), ("bn", bn), ("head", head)] }

    func features(_ x: Tensor) throws -> Tensor { try Functional.globalAvgPool2d(try bn(try conv(x)).relu()) }

    func callAsFunction(_ x: Tensor) throws -> Tensor { try head(try features(x)) }

    var headParameterNames: [String] { ["head.weight", "head.bias"] }
    var featureDimension: Int { head.inFeatures }
    var architectureName: String { "tiny-net" }
    func replaceHead(classes: Int, seed: UInt64) throws {
        throw KaizenError.invalidArgument(name: "head", detail: "TinyNet keeps its head")
    }
}

enum Fixture {
    static func images(_ n: Int, seed: UInt64, size: Int = 6) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return rng.uniform([n, 3, size, size])
    }

    /// Labels the model gets wrong: (prediction + 1) mod classes.
    static func wrongLabels(_ model: any Layer, _ images: Tensor, classes: Int = 3) throws -> [Int] {
        try DebiasEvaluation.predictions(model, images: images).map { ($0 + 1) % classes }
    }

    static func values(_ model: any Module) -> [[Float]] { model.namedParameters().map { $0.1.value.scalars } }

    static func checksum(_ model: any Module) -> Double {
        model.namedParameters().enumerated().reduce(0.0) { total, item in
            item.element.1.value.scalars.enumerated().reduce(total) { $0 + Double($1.element) * Double(($1.offset % 97) + 1 + item.offset) }
        }
    }

    static func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.scalars, b.scalars).reduce(0) { max($0, Swift.abs($1.0 - $1.1)) }
    }

    static func copy(_ net: TinyNet, seed: UInt64 = 99) throws -> TinyNet {
        try ModelCopy.copy(net) { try TinyNet(seed: seed) }
    }
}
