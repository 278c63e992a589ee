import Foundation

/// Discrete (1+1) with Lengler's mutation-count schedule (Nevergrad's `DiscreteLenglerOnePlusOne`).
///
/// The parent is the best candidate so far (the space's initial point before the first tell). At ask
/// number t (from 1), `max(1, floor(d * 1.54468 * ln t / t))` distinct coordinates (at most d) are
/// mutated: a discrete coordinate moves to a different value drawn uniformly among the other
/// `arity - 1`, a continuous one is redrawn from its prior. A child replaces the parent when it is
/// not worse (ties move, which lets the search drift across plateaus).
public struct DiscreteLenglerOnePlusOne: GradientFreeOptimizer {
    public let encoding: Encoding
    public private(set) var evaluations = 0
    public private(set) var asks = 0
    private var parent: Candidate?
    private var parentLoss = Double.infinity
    private var best = BestSoFar()
    private var rng: EvolveRandom

    public init(encoding: Encoding, seed: UInt64) {
        self.encoding = encoding
        self.rng = EvolveRandom(seed: seed)
    }

    public var bestLoss: Double { best.loss }
    public func recommend() -> Candidate? { best.candidate }

    /// Number of coordinates mutated at ask number `t` (1-based) in dimension `d`.
    public static func mutationCount(ask t: Int, dimension d: Int) -> Int {
        guard t > 1 else { return 1 }
        let raw = Double(d) * 1.54468 * Foundation.log(Double(t)) / Double(t)
        return min(d, max(1, Int(raw.rounded(.down))))
    }

    public mutating func ask() throws -> Candidate {
        defer { asks += 1 }
        guard asks > 0 else { return Candidate(id: asks, z: encoding.initial) }
        var z = parent?.z ?? encoding.initial
        let d = z.count
        guard d > 0 else { return Candidate(id: asks, z: z) }
        let k = Self.mutationCount(ask: asks, dimension: d)
        // Partial Fisher-Yates: the first k entries of a random permutation.
        var order = Array(0..<d)
        for j in 0..<k {
            order.swapAt(j, j + rng.nextInt(below: d - j))
            let i = order[j]
            switch encoding.coordinates[i] {
            case let .discrete(arity) where arity > 1:
                let current = min(max(Int(z[i].rounded()), 0), arity - 1)
                let other = rng.nextInt(below: arity - 1)
                z[i] = Double(other >= current ? other + 1 : other)
            case .discrete:
                break
            case let kind:
                z[i] = rng.samplePrior(kind)
            }
        }
        return Candidate(id: asks, z: z)
    }

    public mutating func tell(_ candidate: Candidate, loss: Double) throws {
        try checkDimension(candidate, encoding.dimension, "DiscreteLenglerOnePlusOne")
        let loss = loss.sanitisedLoss
        evaluations += 1
        best.record(candidate, loss: loss)
        if parent == nil || loss <= parentLoss { parent = candidate; parentLoss = loss }
    }
}
