import Foundation

/// (1+1) evolution strategy with the one-fifth success rule (Nevergrad's `OnePlusOne`).
///
/// The first ask is the space's initial point; every later ask is `best + sigma * N(0, I)`, where
/// `best` is the best candidate told so far (also with several outstanding asks: the parallel
/// variant). After each tell whose loss differs from the best loss before it, sigma is doubled on
/// an improvement and multiplied by 0.84 otherwise (a 1/5 success rate keeps it constant:
/// 2^(1/5) * 0.84^(4/5) ~ 1). Sigma starts at 1.
public struct OnePlusOneES: GradientFreeOptimizer {
    public let encoding: Encoding
    public private(set) var sigma: Double = 1
    public private(set) var evaluations = 0
    public private(set) var asks = 0
    private var best = BestSoFar()
    private var rng: EvolveRandom

    public init(encoding: Encoding, seed: UInt64) {
        self.encoding = encoding
        self.rng = EvolveRandom(seed: seed)
    }

    public var bestLoss: Double { best.loss }
    public func recommend() -> Candidate? { best.candidate }

    public mutating func ask() throws -> Candidate {
        defer { asks += 1 }
        guard asks > 0 else { return Candidate(id: asks, z: encoding.initial) }
        let parent = best.candidate?.z ?? encoding.initial
        var z = parent
        for i in z.indices { z[i] += sigma * rng.nextNormal() }
        return Candidate(id: asks, z: z)
    }

    public mutating func tell(_ candidate: Candidate, loss: Double) throws {
        try checkDimension(candidate, encoding.dimension, "OnePlusOneES")
        let loss = loss.sanitisedLoss
        evaluations += 1
        if loss != best.loss { sigma *= loss < best.loss ? 2 : 0.84 }
        best.record(candidate, loss: loss)
    }
}
