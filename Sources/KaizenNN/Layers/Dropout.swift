/// Inverted dropout (PyTorch's `nn.Dropout`): in training, zeroes each element with probability
/// `p` and scales the rest by 1/(1-p); identity in evaluation. Owns its seeded generator, so a
/// run is reproducible from the seed and the order of calls.
public final class Dropout: Layer {
    public let p: Float
    public var rng: RandomGenerator
    public var trainingMode = true

    public init(p: Float = 0.5, seed: UInt64 = 0) throws {
        guard p >= 0, p < 1 else {
            throw KaizenError.invalidArgument(name: "p", detail: "Dropout probability must be in [0, 1), got \(p)")
        }
        self.p = p
        rng = RandomGenerator(seed: seed)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard trainingMode, p > 0 else { return x }
        return try Functional.dropout(x, p: p, rng: &rng)
    }
}
