/// The optimisers' random stream: KaizenTensor's seeded `RandomGenerator`, kept with its seed so
/// that a checkpoint (the generator's state is Codable) restores the exact stream.
public struct EvolveRandom: RandomNumberGenerator, Codable, Sendable {
    public let seed: UInt64
    private var generator: RandomGenerator

    public init(seed: UInt64) {
        self.seed = seed
        generator = RandomGenerator(seed: seed)
    }

    public mutating func next() -> UInt64 { generator.next() }

    /// Uniform in [0, 1) with 53 bits.
    public mutating func nextDouble() -> Double { generator.nextDouble() }

    /// Standard normal (Box-Muller, one value per call).
    public mutating func nextNormal() -> Double { generator.nextNormal() }

    /// Uniform integer in 0..<n (unbiased).
    public mutating func nextInt(below n: Int) -> Int { generator.nextInt(below: n) }
}
