import Foundation

/// A point in the standardised space, as asked by an optimiser. `id` numbers the asks (from 0) so
/// that a tell can be matched with the ask it answers, in any order.
public struct Candidate: Codable, Sendable, Equatable {
    public var id: Int
    public var z: [Double]
    public init(id: Int, z: [Double]) { self.id = id; self.z = z }
}

/// A gradient-free minimiser with Nevergrad's ask/tell shape. Several asks may be outstanding
/// (parallel workers); tells may come in any order. Losses are minimised; NaN counts as +infinity.
/// Conforming types are value types whose whole state (random stream included) is `Codable`, so a
/// run can be checkpointed and resumed exactly.
public protocol GradientFreeOptimizer: Codable, Sendable {
    /// The standardised layout the optimiser works on.
    var encoding: Encoding { get }
    /// Number of tells received.
    var evaluations: Int { get }
    mutating func ask() throws -> Candidate
    mutating func tell(_ candidate: Candidate, loss: Double) throws
    /// The best candidate told so far (nil before the first tell).
    func recommend() -> Candidate?
    /// Its loss.
    var bestLoss: Double { get }
}

/// Best-so-far bookkeeping shared by the optimisers.
public struct BestSoFar: Codable, Sendable, Equatable {
    public var candidate: Candidate?
    public var loss: Double = .infinity

    public init() {}

    /// Records a told candidate; returns true when it is a strict improvement.
    @discardableResult
    public mutating func record(_ c: Candidate, loss: Double) -> Bool {
        if candidate == nil || loss < self.loss {
            candidate = c; self.loss = loss
            return true
        }
        return false
    }
}

extension Double {
    /// NaN losses are treated as the worst possible value.
    var sanitisedLoss: Double { isNaN ? .infinity : self }
}

func checkDimension(_ c: Candidate, _ d: Int, _ who: String) throws {
    guard c.z.count == d else {
        throw KaizenError.shapeMismatch(op: "\(who).tell", detail: "candidate has \(c.z.count) coordinates, the optimiser works on \(d)")
    }
}

/// The optimisers by name, as on the command line.
public enum OptimizerKind: String, Codable, Sendable, CaseIterable {
    case onePlusOne = "one-plus-one"
    case lengler
    case cma
    case de
    case random
    case auto

    /// The automatic choice (in the spirit of Nevergrad's NGOpt), decided once from the encoding,
    /// the budget and the number of workers:
    /// 1. only discrete choices -> discrete (1+1) with Lengler's schedule;
    /// 2. budget < 30 d -> (1+1)-ES with the one-fifth rule (with several workers every ask mutates
    ///    the best-so-far, Nevergrad's parallel variant);
    /// 3. d <= 100 -> CMA-ES with full covariance;
    /// 4. larger d -> diagonal (sep-) CMA-ES when the budget allows at least 20 generations,
    ///    differential evolution (TwoPointsDE) otherwise.
    public static func automatic(encoding: Encoding, budget: Int, workers: Int) -> OptimizerKind {
        let d = encoding.dimension
        if encoding.isDiscrete { return .lengler }
        if budget < 30 * d { return .onePlusOne }
        if d <= 100 { return .cma }
        let lambda = CMAParameters.defaultPopulation(dimension: d)
        return budget >= 20 * max(lambda, workers) ? .cma : .de
    }

    /// Whether the optimiser wants the discrete encoding (choices as one index coordinate).
    public var usesDiscreteEncoding: Bool { self == .lengler }
}

/// Any of the optimisers, as one `Codable` value (for `auto`, the CLI and checkpoints). A struct of
/// optionals rather than an enum so that ask/tell mutate the optimiser in place (no copy of its arrays).
public struct AnyOptimizer: GradientFreeOptimizer {
    public private(set) var kind: OptimizerKind
    private var onePlusOne: OnePlusOneES?
    private var lengler: DiscreteLenglerOnePlusOne?
    private var cma: CMAES?
    private var de: DifferentialEvolution?
    private var random: RandomSearch?

    /// Builds the optimiser `kind` for `space` (`auto` resolved by `OptimizerKind.automatic`).
    public static func make(_ kind: OptimizerKind, space: SearchSpace, budget: Int, workers: Int = 1, seed: UInt64) throws -> AnyOptimizer {
        var kind = kind
        if kind == .auto {
            kind = space.encoding(discrete: true).isDiscrete
                ? .lengler
                : OptimizerKind.automatic(encoding: space.encoding(discrete: false), budget: budget, workers: workers)
        }
        return try AnyOptimizer(kind, encoding: space.encoding(discrete: kind.usesDiscreteEncoding), budget: budget, workers: workers, seed: seed)
    }

    /// Builds the optimiser `kind` directly on an encoding.
    public init(_ kind: OptimizerKind, encoding: Encoding, budget: Int, workers: Int = 1, seed: UInt64) throws {
        let kind = kind == .auto ? OptimizerKind.automatic(encoding: encoding, budget: budget, workers: workers) : kind
        self.kind = kind
        switch kind {
        case .onePlusOne: onePlusOne = OnePlusOneES(encoding: encoding, seed: seed)
        case .lengler: lengler = DiscreteLenglerOnePlusOne(encoding: encoding, seed: seed)
        case .cma: cma = try CMAES(encoding: encoding, seed: seed)
        case .de: de = DifferentialEvolution(encoding: encoding, seed: seed, workers: workers)
        case .random, .auto: random = RandomSearch(encoding: encoding, seed: seed)
        }
    }

    public var encoding: Encoding {
        onePlusOne?.encoding ?? lengler?.encoding ?? cma?.encoding ?? de?.encoding ?? random?.encoding ?? .unbounded(0)
    }
    public var evaluations: Int {
        onePlusOne?.evaluations ?? lengler?.evaluations ?? cma?.evaluations ?? de?.evaluations ?? random?.evaluations ?? 0
    }
    public var bestLoss: Double {
        onePlusOne?.bestLoss ?? lengler?.bestLoss ?? cma?.bestLoss ?? de?.bestLoss ?? random?.bestLoss ?? .infinity
    }
    public func recommend() -> Candidate? {
        onePlusOne?.recommend() ?? lengler?.recommend() ?? cma?.recommend() ?? de?.recommend() ?? random?.recommend()
    }

    public mutating func ask() throws -> Candidate {
        if let c = try onePlusOne?.ask() ?? lengler?.ask() ?? cma?.ask() ?? de?.ask() ?? random?.ask() { return c }
        throw KaizenError.invalidArgument(name: "optimizer", detail: "holds no optimiser (corrupt checkpoint?)")
    }

    public mutating func tell(_ candidate: Candidate, loss: Double) throws {
        try onePlusOne?.tell(candidate, loss: loss)
        try lengler?.tell(candidate, loss: loss)
        try cma?.tell(candidate, loss: loss)
        try de?.tell(candidate, loss: loss)
        try random?.tell(candidate, loss: loss)
    }
}
