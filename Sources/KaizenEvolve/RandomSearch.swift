import Foundation

/// Random search: i.i.d. draws from the prior of each coordinate (standard normal; uniform within
/// bounds for two-sided bounded coordinates; a uniform index for discrete ones). The first ask is
/// the space's initial point, as for the other optimisers.
public struct RandomSearch: GradientFreeOptimizer {
    public let encoding: Encoding
    public private(set) var evaluations = 0
    private var asks = 0
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
        return Candidate(id: asks, z: encoding.coordinates.map { rng.samplePrior($0) })
    }

    public mutating func tell(_ candidate: Candidate, loss: Double) throws {
        try checkDimension(candidate, encoding.dimension, "RandomSearch")
        evaluations += 1
        best.record(candidate, loss: loss.sanitisedLoss)
    }
}

extension EvolveRandom {
    /// One draw from a coordinate's prior.
    mutating func samplePrior(_ kind: CoordinateKind) -> Double {
        switch kind {
        case .gaussian: return nextNormal()
        case .bounded:
            // atan(rate z)/pi + 1/2 is uniform when z = tan(pi (u - 1/2)) / rate; keep u away from 0.
            var u = nextDouble()
            while u == 0 { u = nextDouble() }
            return Foundation.tan(Double.pi * (u - 0.5)) / SearchSpace.boundedRate
        case let .discrete(arity): return Double(nextInt(below: arity))
        }
    }
}
