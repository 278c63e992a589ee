import KaizenNN

/// conv (no bias) -> batch norm -> ReLU, the unit of the nested test network.
final class ConvBlock: Layer {
    let conv: Conv2d
    let bn: BatchNorm2d
    var trainingMode = true

    init(_ inChannels: Int, _ outChannels: Int, rng: inout RandomGenerator) throws {
        conv = try Conv2d(inChannels, outChannels, kernel: (3, 3), padding: .symmetric(1), bias: false, rng: &rng)
        bn = BatchNorm2d(outChannels)
    }

    func namedChildren() -> [(String, any Module)] { [("conv", conv), ("bn", bn)] }

    func callAsFunction(_ x: Tensor) throws -> Tensor { try bn(conv(x)).relu() }
}

/// stem -> blocks (Sequential of two ConvBlocks) -> pool -> dropout -> head.
final class TinyNet: Layer {
    let stem: Conv2d
    let blocks: Sequential
    let pool = GlobalAvgPool2d()
    let dropout: Dropout
    let head: Linear
    var trainingMode = true

    init(classes: Int = 2, seed: UInt64 = 0) throws {
        var rng = RandomGenerator(seed: seed)
        stem = try Conv2d(1, 4, kernel: (3, 3), padding: .symmetric(1), rng: &rng)
        blocks = Sequential(try ConvBlock(4, 4, rng: &rng), try ConvBlock(4, 4, rng: &rng))
        dropout = try Dropout(p: 0.5, seed: seed)
        head = Linear(4, classes, rng: &rng)
    }

    func namedChildren() -> [(String, any Module)] {
        [("stem", stem), ("blocks", blocks), ("pool", pool), ("dropout", dropout), ("head", head)]
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        try head(dropout(pool(blocks(stem(x).relu()))))
    }
}
