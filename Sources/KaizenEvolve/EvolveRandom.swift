import Foundation

/// The optimisers' random stream: KaizenTensor's `RandomGenerator` plus a count of its raw draws, so
/// that the stream can be saved in a checkpoint (seed and count) and restored exactly by replaying
/// the count (`RandomGenerator` keeps its state private). Replaying costs a few ns per draw.
public struct EvolveRandom: RandomNumberGenerator, Codable, Sendable {
    public let seed: UInt64
    public private(set) var draws: UInt64 = 0
    private var generator: RandomGenerator

    public init(seed: UInt64) {
        self.seed = seed
        generator = RandomGenerator(seed: seed)
    }

    enum CodingKeys: String, CodingKey { case seed, draws }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(seed: try c.decode(UInt64.self, forKey: .seed))
        let count = try c.decode(UInt64.self, forKey: .draws)
        for _ in 0..<count { _ = next() }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(seed, forKey: .seed)
        try c.encode(draws, forKey: .draws)
    }

    public mutating func next() -> UInt64 {
        draws &+= 1
        return generator.next()
    }

    /// Uniform in [0, 1) with 53 bits.
    public mutating func nextDouble() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// Standard normal (Box-Muller, one value per call).
    public mutating func nextNormal() -> Double {
        var u1 = nextDouble()
        while u1 <= Double.leastNonzeroMagnitude { u1 = nextDouble() }
        let u2 = nextDouble()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// Uniform integer in 0..<n (unbiased).
    public mutating func nextInt(below n: Int) -> Int {
        precondition(n > 0, "nextInt(below:) needs n > 0")
        return Int(next(upperBound: UInt64(n)))
    }
}
