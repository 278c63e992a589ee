import Foundation

/// Differential evolution with Nevergrad's `TwoPointsDE` defaults: population 30 (at least the
/// number of workers), F1 = F2 = 0.8, two-points crossover, Gaussian initialisation around the
/// space's initial point in standardised space.
///
/// Parents are taken in turn. The donor is `parent + F1 (a - b) + F2 (best - parent)` with `a`, `b`
/// two distinct random members and `best` the best candidate so far; the child takes the donor's
/// values on a random contiguous segment of coordinates (at least one, not all when d > 1) and the
/// parent's elsewhere, and replaces its parent when it is not worse.
public struct DifferentialEvolution: GradientFreeOptimizer {
    struct Member: Codable, Sendable { var z: [Double]; var loss: Double? }

    public let encoding: Encoding
    public let populationSize: Int
    public let f1: Double
    public let f2: Double
    public private(set) var evaluations = 0
    private var asks = 0
    private var population: [Member] = []
    private var nextParent = 0
    /// Ask id -> population slot whose parent it challenges (or which it initialises).
    private var pending: [Int: Int] = [:]
    private var best = BestSoFar()
    private var rng: EvolveRandom

    public init(encoding: Encoding, seed: UInt64, workers: Int = 1, populationSize: Int = 30, f1: Double = 0.8, f2: Double = 0.8) {
        self.encoding = encoding
        self.populationSize = max(populationSize, workers, 4)
        self.f1 = f1
        self.f2 = f2
        self.rng = EvolveRandom(seed: seed)
    }

    public var bestLoss: Double { best.loss }
    public func recommend() -> Candidate? { best.candidate }

    public mutating func ask() throws -> Candidate {
        defer { asks += 1 }
        let d = encoding.dimension
        if population.count < populationSize {
            // The first member is the initial point itself, the others Gaussian around it.
            var z = encoding.initial
            if !population.isEmpty { for i in 0..<d { z[i] += rng.nextNormal() } }
            pending[asks] = population.count
            population.append(Member(z: z, loss: nil))
            return Candidate(id: asks, z: z)
        }
        let evaluated = population.indices.filter { population[$0].loss != nil }
        guard evaluated.count >= 3, let bestZ = best.candidate?.z else {
            // Too few members evaluated yet (many workers): sample around the initial point.
            var z = encoding.initial
            for i in 0..<d { z[i] += rng.nextNormal() }
            return Candidate(id: asks, z: z)
        }
        var slot = nextParent
        while population[slot].loss == nil { slot = (slot + 1) % populationSize }
        nextParent = (slot + 1) % populationSize
        let parent = population[slot].z
        let pa = rng.nextInt(below: evaluated.count)
        var pb = rng.nextInt(below: evaluated.count - 1)
        if pb >= pa { pb += 1 }
        let a = population[evaluated[pa]].z, b = population[evaluated[pb]].z
        var child = parent
        // Two-points crossover: a segment [start, start + length) (cyclic) comes from the donor.
        let length = d > 1 ? 1 + rng.nextInt(below: d - 1) : 1
        let start = rng.nextInt(below: d)
        for k in 0..<length {
            let i = (start + k) % d
            child[i] = parent[i] + f1 * (a[i] - b[i]) + f2 * (bestZ[i] - parent[i])
        }
        for i in 0..<d {
            if case let .discrete(arity) = encoding.coordinates[i] { child[i] = min(max(child[i].rounded(), 0), Double(arity - 1)) }
        }
        pending[asks] = slot
        return Candidate(id: asks, z: child)
    }

    public mutating func tell(_ candidate: Candidate, loss: Double) throws {
        try checkDimension(candidate, encoding.dimension, "DifferentialEvolution")
        let loss = loss.sanitisedLoss
        evaluations += 1
        best.record(candidate, loss: loss)
        guard let slot = pending.removeValue(forKey: candidate.id), population.indices.contains(slot) else { return }
        if let old = population[slot].loss, loss > old { return }
        population[slot] = Member(z: candidate.z, loss: loss)
    }
}
