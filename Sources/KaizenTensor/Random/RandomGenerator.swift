import Foundation

/// A seeded random generator (xoshiro256** seeded through SplitMix64). Draws are sequential, so
/// the stream never depends on the thread count. A value type: copying it forks the stream; Codable,
/// so checkpoints save the exact state.
public struct RandomGenerator: RandomNumberGenerator, Sendable, Codable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var sm = seed
        func next() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = next(); s1 = next(); s2 = next(); s3 = next()
    }

    @inlinable static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = RandomGenerator.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = RandomGenerator.rotl(s3, 45)
        return result
    }

    /// Uniform in [0, 1) with 24 bits of precision.
    public mutating func nextFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Uniform in [0, 1) with 53 bits of precision.
    public mutating func nextDouble() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// Standard normal (Box-Muller, one value per call so the stream stays simple to reason about).
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

    /// A uniformly random permutation of 0..<n (Fisher-Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n < 2 { return p }
        for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, nextInt(below: i + 1)) }
        return p
    }

    /// `k` distinct indices from 0..<n, in draw order; throws when k > n.
    public mutating func choice(_ n: Int, count k: Int) throws -> [Int] {
        guard k <= n, k >= 0 else {
            throw KaizenError.invalidArgument(name: "count", detail: "cannot choose \(k) distinct items from \(n)")
        }
        return Array(permutation(n).prefix(k))
    }

    /// Tensor of uniform values in [low, high).
    public mutating func uniform(_ shape: [Int], low: Float = 0, high: Float = 1) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        let p = t.basePointer
        for i in 0..<t.count { p[i] = low + (high - low) * nextFloat() }
        return t
    }

    /// Tensor of normal values.
    public mutating func normal(_ shape: [Int], mean: Float = 0, std: Float = 1) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        let p = t.basePointer
        for i in 0..<t.count { p[i] = mean + std * Float(nextNormal()) }
        return t
    }
}

/// Stateless counter-based hashing: a random value per (seed, index) that can be regenerated in any
/// order, e.g. entries of a random projection that is never stored.
public enum CounterHash {
    @inlinable public static func mix(_ seed: UInt64, _ index: UInt64) -> UInt64 {
        var z = seed &+ index &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
