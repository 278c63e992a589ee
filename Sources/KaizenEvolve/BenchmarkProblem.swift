import Foundation

/// Standard test functions for the optimisers, in the spirit of Nevergrad's `ArtificialFunction`:
/// the continuous ones are shifted (optimum at a seeded N(0, 1) point, value 0 there) and searched
/// over `x` in [-5, 5]^d (atan-bounded) unless `bounded` is false; the discrete ones are over d bits
/// (a choice of {0, 1} per coordinate, starting from all zeros) and count the missing ones.
public struct BenchmarkProblem: Sendable {
    public enum Name: String, CaseIterable, Sendable {
        case sphere, ellipsoid, rosenbrock, rastrigin, onemax, leadingones
        public var isDiscrete: Bool { self == .onemax || self == .leadingones }
    }

    public let name: Name
    public let dimension: Int
    public let bounded: Bool
    /// The optimum (continuous problems).
    public let shift: [Double]
    /// Row-major d x d orthogonal matrix (ellipsoid only).
    public let rotation: [Double]

    public init(_ name: Name, dimension: Int, seed: UInt64 = 0, bounded: Bool = true) throws {
        guard dimension >= 1 else { throw KaizenError.invalidArgument(name: "dimension", detail: "must be at least 1, got \(dimension)") }
        if name == .rosenbrock, dimension < 2 { throw KaizenError.invalidArgument(name: "dimension", detail: "rosenbrock needs at least 2, got \(dimension)") }
        self.name = name
        self.dimension = dimension
        self.bounded = bounded
        var rng = EvolveRandom(seed: seed &+ 0x5EED)
        shift = name.isDiscrete ? [] : (0..<dimension).map { _ in rng.nextNormal() }
        rotation = name == .ellipsoid ? Self.randomRotation(dimension, &rng) : []
    }

    /// A uniformly random orthogonal matrix: Gram-Schmidt on Gaussian rows.
    static func randomRotation(_ d: Int, _ rng: inout EvolveRandom) -> [Double] {
        var m = (0..<(d * d)).map { _ in rng.nextNormal() }
        for i in 0..<d {
            for k in 0..<i {
                var dot = 0.0
                for j in 0..<d { dot += m[i * d + j] * m[k * d + j] }
                for j in 0..<d { m[i * d + j] -= dot * m[k * d + j] }
            }
            var norm = 0.0
            for j in 0..<d { norm += m[i * d + j] * m[i * d + j] }
            norm = norm.squareRoot()
            for j in 0..<d { m[i * d + j] /= norm }
        }
        return m
    }

    /// The search space: one variable "x" of shape [d].
    public var space: SearchSpace {
        get throws {
            if name.isDiscrete {
                return try SearchSpace([Variable.choice("x", values: [.number(0), .number(1)], shape: [dimension])])
            }
            return try SearchSpace([bounded ? Variable.continuous("x", shape: [dimension], lower: -5, upper: 5)
                                            : Variable.continuous("x", shape: [dimension])])
        }
    }

    /// The loss at `x` (0 at the optimum).
    public func value(_ x: [Double]) -> Double {
        let d = dimension
        switch name {
        case .onemax:
            return Double(d) - x.reduce(0) { $0 + ($1 == 1 ? 1 : 0) }
        case .leadingones:
            let leading = x.firstIndex { $0 != 1 } ?? d
            return Double(d - leading)
        case .sphere:
            var s = 0.0
            for i in 0..<d { let y = x[i] - shift[i]; s += y * y }
            return s
        case .ellipsoid:
            // sum_i 10^(6 i / (d - 1)) (R (x - shift))_i^2: condition number 1e6.
            var s = 0.0
            for i in 0..<d {
                var y = 0.0
                for j in 0..<d { y += rotation[i * d + j] * (x[j] - shift[j]) }
                let weight = d > 1 ? Foundation.pow(10, 6 * Double(i) / Double(d - 1)) : 1
                s += weight * y * y
            }
            return s
        case .rosenbrock:
            // Shifted so that the optimum (all ones in the classic form) sits at `shift`.
            var s = 0.0
            for i in 0..<(d - 1) {
                let a = x[i] - shift[i] + 1, b = x[i + 1] - shift[i + 1] + 1
                s += 100 * (b - a * a) * (b - a * a) + (1 - a) * (1 - a)
            }
            return s
        case .rastrigin:
            var s = 10 * Double(d)
            for i in 0..<d { let y = x[i] - shift[i]; s += y * y - 10 * Foundation.cos(2 * Double.pi * y) }
            return s
        }
    }

    /// The problem as an objective over its space.
    public var objective: Evolve.Objective {
        let problem = self
        return { problem.value($0.flatNumeric) }
    }
}
