/// Layers applied in order; children are named `0`, `1`, ... as in PyTorch's `nn.Sequential`.
public final class Sequential: Layer {
    public let layers: [any Layer]
    public var trainingMode = true

    public init(_ layers: [any Layer]) { self.layers = layers }
    public convenience init(_ layers: any Layer...) { self.init(layers) }

    public func namedChildren() -> [(String, any Module)] {
        layers.enumerated().map { (String($0.offset), $0.element as any Module) }
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        var y = x
        for layer in layers { y = try layer(y) }
        return y
    }
}
