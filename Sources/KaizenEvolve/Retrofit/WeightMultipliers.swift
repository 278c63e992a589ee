import Foundation
import KaizenNN

/// Retrofitting scale multipliers of chosen weight tensors: each named parameter becomes
/// `m * original`, with one log-scaled multiplier per tensor in [1 / range, range] (initial 1, the
/// trained model). A cheap AfterLearnER target for re-balancing layers or heads after training.
///
/// Variable: `weights.scale` of shape [T] (T chosen tensors).
public final class WeightMultipliers: RetrofitTarget {
    public let parameterNames: [String]
    /// Multipliers lie in [1 / range, range].
    public let range: Double
    private let parameters: [Parameter]
    private let originals: [[Float]]

    /// `names`: dotted parameter names (`head.weight`); throws on unknown names.
    public init(model: any Module, parameters names: [String], range: Double = 2) throws {
        guard !names.isEmpty else { throw KaizenError.invalidArgument(name: "parameters", detail: "choose at least one parameter name") }
        guard range > 1, range.isFinite else { throw KaizenError.invalidArgument(name: "range", detail: "must be above 1, got \(range)") }
        let all = model.namedParameters(includeShared: true)
        parameters = try names.map { n in
            guard let p = all.first(where: { $0.0 == n })?.1 else {
                throw KaizenError.invalidArgument(name: "parameters", detail: "no parameter named \"\(n)\"; available: \(all.map(\.0).prefix(20).joined(separator: ", "))")
            }
            return p
        }
        parameterNames = names
        self.range = range
        originals = parameters.map { RetrofitSupport.snapshot($0.value) }
    }

    public func variables() throws -> [Variable] {
        [try Variable.continuous("weights.scale", shape: [parameters.count], lower: 1 / range, upper: range, log: true, initial: [1])]
    }

    public func apply(_ assignment: Assignment) throws {
        try apply(multipliers: try RetrofitSupport.values(assignment, "weights.scale", count: parameters.count))
    }

    /// Sets each chosen tensor to `multipliers[i] * original`.
    public func apply(multipliers: [Double]) throws {
        guard multipliers.count == parameters.count else {
            throw KaizenError.shapeMismatch(op: "WeightMultipliers", detail: "\(multipliers.count) multipliers for \(parameters.count) tensors")
        }
        for (i, p) in parameters.enumerated() {
            let m = Float(multipliers[i])
            RetrofitSupport.write(m == 1 ? originals[i] : originals[i].map { $0 * m }, into: p.value)
        }
    }

    public func restore() throws { try apply(multipliers: Array(repeating: 1, count: parameters.count)) }
}
