import Foundation

/// A value a discrete choice can take (SPACE.json allows numbers, strings and booleans).
public enum ChoiceValue: Codable, Sendable, Equatable, CustomStringConvertible {
    case number(Double), string(String), bool(Bool)

    /// The value as a number (strings are not numbers: NaN), for problems over numeric choices.
    public var numeric: Double {
        switch self {
        case let .number(x): return x
        case let .bool(b): return b ? 1 : 0
        case .string: return .nan
        }
    }

    public var description: String {
        switch self {
        case let .number(x): return "\(x)"
        case let .string(s): return "\"\(s)\""
        case let .bool(b): return "\(b)"
        }
    }
}

/// One named variable of a search space.
///
/// Continuous variables (a scalar is an array of shape `[]`) map each element to one standardised
/// coordinate `z`:
/// - both bounds: `x = lower + (upper - lower) * (0.5 + atan(pi z / 6) / pi)` (a bijection onto the open
///   interval, so every `z` is feasible and the optimisers need no constraint handling);
/// - one bound: `x = lower + scale * exp(z)` (or `upper - scale * exp(z)`), `scale` from `init`;
/// - no bound: `x = init + sigma * z`;
/// - `log`: the same maps applied to `ln x` (bounds must be positive).
/// A choice of `k` values has two encodings: `k` real weights whose argmax picks the value (for the
/// continuous optimisers) or one coordinate holding the index (for the discrete optimisers).
public struct Variable: Codable, Sendable, Equatable {
    public enum Kind: Codable, Sendable, Equatable {
        case continuous(lower: Double?, upper: Double?, log: Bool, sigma: Double)
        case choice(values: [ChoiceValue])
    }

    public var name: String
    public var shape: [Int]
    public var kind: Kind
    /// Initial value of every element: a number for continuous variables, an index for choices.
    public var initial: [Double]

    public var count: Int { shape.reduce(1, *) }

    /// A continuous variable; throws when the bounds, `init` or `log` are inconsistent.
    public static func continuous(
        _ name: String, shape: [Int] = [], lower: Double? = nil, upper: Double? = nil,
        log: Bool = false, sigma: Double = 1, initial: [Double]? = nil
    ) throws -> Variable {
        func bad(_ detail: String) -> KaizenError { .invalidArgument(name: "variable \"\(name)\"", detail: detail) }
        guard shape.allSatisfy({ $0 > 0 }) else { throw bad("shape \(shape) must have positive sizes") }
        if let lower, let upper, !(lower < upper) { throw bad("lower \(lower) must be below upper \(upper)") }
        if log, let l = lower, l <= 0 { throw bad("a log-scaled variable needs lower > 0, got \(l)") }
        if log, let u = upper, u <= 0 { throw bad("a log-scaled variable needs upper > 0, got \(u)") }
        guard sigma > 0, sigma.isFinite else { throw bad("sigma must be positive, got \(sigma)") }
        let count = shape.reduce(1, *)
        let defaultInit: Double
        switch (lower, upper) {
        case let (l?, u?): defaultInit = log ? Foundation.exp((Foundation.log(l) + Foundation.log(u)) / 2) : (l + u) / 2
        case let (l?, nil): defaultInit = log ? l * Foundation.exp(1) : l + 1
        case let (nil, u?): defaultInit = log ? u / Foundation.exp(1) : u - 1
        case (nil, nil): defaultInit = log ? 1 : 0
        }
        var values = initial ?? [defaultInit]
        if values.count == 1, count != 1 { values = Array(repeating: values[0], count: count) }
        guard values.count == count else { throw bad("init has \(values.count) values, the shape \(shape) needs \(count)") }
        for v in values {
            guard v.isFinite else { throw bad("init \(v) is not finite") }
            if let l = lower, v <= l { throw bad("init \(v) must lie strictly above lower \(l)") }
            if let u = upper, v >= u { throw bad("init \(v) must lie strictly below upper \(u)") }
            if log, v <= 0 { throw bad("init \(v) of a log-scaled variable must be positive") }
        }
        return Variable(name: name, shape: shape, kind: .continuous(lower: lower, upper: upper, log: log, sigma: sigma), initial: values)
    }

    /// A choice among `values` (one per element of `shape`); `initialIndex` defaults to the first value.
    public static func choice(_ name: String, values: [ChoiceValue], shape: [Int] = [], initialIndex: Int = 0) throws -> Variable {
        guard !values.isEmpty else { throw KaizenError.invalidArgument(name: "variable \"\(name)\"", detail: "a choice needs at least one value") }
        guard values.indices.contains(initialIndex) else {
            throw KaizenError.invalidArgument(name: "variable \"\(name)\"", detail: "init index \(initialIndex) is not one of the \(values.count) values")
        }
        guard shape.allSatisfy({ $0 > 0 }) else { throw KaizenError.invalidArgument(name: "variable \"\(name)\"", detail: "shape \(shape) must have positive sizes") }
        return Variable(name: name, shape: shape, kind: .choice(values: values),
                        initial: Array(repeating: Double(initialIndex), count: shape.reduce(1, *)))
    }
}

/// How one standardised coordinate is read: what random search samples and what the discrete
/// optimisers mutate.
public enum CoordinateKind: Codable, Sendable, Equatable {
    /// Unbounded or one-sided: the prior is N(0, 1).
    case gaussian
    /// Two-sided bound through atan: uniform within bounds is `z = tan(pi (u - 1/2)) / boundedRate`.
    case bounded
    /// A choice index in `0..<arity` (discrete encoding only).
    case discrete(arity: Int)
}

/// The standardised vector layout an optimiser works on.
public struct Encoding: Codable, Sendable, Equatable {
    public var coordinates: [CoordinateKind]
    /// The standardised image of the space's initial values.
    public var initial: [Double]
    public var dimension: Int { coordinates.count }
    public var isDiscrete: Bool { coordinates.allSatisfy { if case .discrete = $0 { true } else { false } } }

    public init(coordinates: [CoordinateKind], initial: [Double]) {
        precondition(coordinates.count == initial.count, "one initial value per coordinate")
        self.coordinates = coordinates
        self.initial = initial
    }

    /// `d` unbounded coordinates starting at 0 (the identity space of a plain vector).
    public static func unbounded(_ d: Int) -> Encoding { Encoding(coordinates: Array(repeating: .gaussian, count: d), initial: Array(repeating: 0, count: d)) }
}

/// The values of all variables for one candidate, in the space's variable order.
public struct Assignment: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case numbers([Double])
        case choices([ChoiceValue])

        /// Numeric view of every element (choices through `ChoiceValue.numeric`).
        public var numeric: [Double] {
            switch self {
            case let .numbers(x): return x
            case let .choices(c): return c.map(\.numeric)
            }
        }
    }

    public var names: [String]
    public var shapes: [[Int]]
    public var values: [Value]

    public subscript(name: String) -> Value? {
        names.firstIndex(of: name).map { values[$0] }
    }

    /// All elements of all variables as one vector (the recommendation of the benchmark problems).
    public var flatNumeric: [Double] { values.flatMap(\.numeric) }
}

/// A search space: named variables and the map between their values and a standardised vector `z`.
/// Separate from the optimisers, which only see `z` (Nevergrad's "parametrization").
public struct SearchSpace: Codable, Sendable, Equatable {
    public var variables: [Variable]

    public init(_ variables: [Variable]) throws {
        var seen = Set<String>()
        for v in variables where !seen.insert(v.name).inserted {
            throw KaizenError.invalidArgument(name: "variable \"\(v.name)\"", detail: "appears twice in the space")
        }
        self.variables = variables
    }

    /// The standardised layout: `discrete` encodes a choice as one index coordinate, otherwise as
    /// one weight per value.
    public func encoding(discrete: Bool) -> Encoding {
        var kinds: [CoordinateKind] = [], initial: [Double] = []
        for v in variables {
            switch v.kind {
            case let .continuous(lower, upper, log, sigma):
                let kind: CoordinateKind = (lower != nil && upper != nil) ? .bounded : .gaussian
                for x in v.initial {
                    kinds.append(kind)
                    initial.append(SearchSpace.standardise(x, lower: lower, upper: upper, log: log, sigma: sigma, initial: x))
                }
            case let .choice(values):
                for index in v.initial {
                    if discrete {
                        kinds.append(.discrete(arity: values.count)); initial.append(index)
                    } else {
                        // The initial choice gets weight 1, the others 0, so argmax picks it.
                        for j in values.indices { kinds.append(.gaussian); initial.append(j == Int(index) ? 1 : 0) }
                    }
                }
            }
        }
        return Encoding(coordinates: kinds, initial: initial)
    }

    /// Values of a standardised vector of the given encoding (`discrete` as in `encoding(discrete:)`).
    public func decode(_ z: [Double], discrete: Bool) throws -> Assignment {
        var names: [String] = [], shapes: [[Int]] = [], values: [Assignment.Value] = []
        var at = 0
        for v in variables {
            names.append(v.name); shapes.append(v.shape)
            switch v.kind {
            case let .continuous(lower, upper, log, sigma):
                guard at + v.count <= z.count else { throw sizeError(z.count, discrete: discrete) }
                var xs = [Double](); xs.reserveCapacity(v.count)
                for i in 0..<v.count {
                    xs.append(SearchSpace.unstandardise(z[at + i], lower: lower, upper: upper, log: log, sigma: sigma, initial: v.initial[i]))
                }
                at += v.count
                values.append(.numbers(xs))
            case let .choice(choices):
                var picked = [ChoiceValue]()
                for _ in 0..<v.count {
                    if discrete {
                        guard at < z.count else { throw sizeError(z.count, discrete: discrete) }
                        let index = min(max(Int(z[at].rounded()), 0), choices.count - 1)
                        picked.append(choices[index]); at += 1
                    } else {
                        guard at + choices.count <= z.count else { throw sizeError(z.count, discrete: discrete) }
                        var best = 0
                        for j in 1..<max(choices.count, 1) where z[at + j] > z[at + best] { best = j }
                        picked.append(choices[best]); at += choices.count
                    }
                }
                values.append(.choices(picked))
            }
        }
        guard at == z.count else { throw sizeError(z.count, discrete: discrete) }
        return Assignment(names: names, shapes: shapes, values: values)
    }

    private func sizeError(_ n: Int, discrete: Bool) -> KaizenError {
        .shapeMismatch(op: "SearchSpace.decode", detail: "vector of \(n) coordinates, the space needs \(encoding(discrete: discrete).dimension)")
    }

    /// `z` for a value `x` of one element (inverse of `unstandardise`).
    public static func standardise(_ x: Double, lower: Double?, upper: Double?, log: Bool, sigma: Double, initial: Double) -> Double {
        let t: (Double) -> Double = log ? { Foundation.log($0) } : { $0 }
        let v = t(x), x0 = t(initial)
        switch (lower, upper) {
        case let (l?, u?):
            let (a, b) = (t(l), t(u))
            return Foundation.tan(Double.pi * ((v - a) / (b - a) - 0.5)) / boundedRate
        case let (l?, nil):
            return Foundation.log((v - t(l)) / oneSidedScale(x0 - t(l)))
        case let (nil, u?):
            return Foundation.log((t(u) - v) / oneSidedScale(t(u) - x0))
        case (nil, nil):
            return (v - x0) / sigma
        }
    }

    /// The value of one element for a standardised coordinate `z`.
    public static func unstandardise(_ z: Double, lower: Double?, upper: Double?, log: Bool, sigma: Double, initial: Double) -> Double {
        let t: (Double) -> Double = log ? { Foundation.log($0) } : { $0 }
        let x0 = t(initial)
        let v: Double
        switch (lower, upper) {
        case let (l?, u?):
            let (a, b) = (t(l), t(u))
            // Clamp inside the open interval: atan saturates for huge |z| in floating point.
            v = min(max(a + (b - a) * (0.5 + Foundation.atan(boundedRate * z) / Double.pi), a), b)
        case let (l?, nil):
            v = t(l) + oneSidedScale(x0 - t(l)) * Foundation.exp(z)
        case let (nil, u?):
            v = t(u) - oneSidedScale(t(u) - x0) * Foundation.exp(z)
        case (nil, nil):
            v = x0 + sigma * z
        }
        return log ? Foundation.exp(v) : v
    }

    /// atan(rate z): a unit step in z near the middle moves x by (upper - lower) / 6, the scale
    /// Nevergrad gives a bounded array (sigma = range / 6).
    public static let boundedRate = Double.pi / 6

    /// The distance from the bound to the initial value sets the scale, so `init` maps to z = 0.
    private static func oneSidedScale(_ gap: Double) -> Double { gap > 0 ? gap : 1 }
}
