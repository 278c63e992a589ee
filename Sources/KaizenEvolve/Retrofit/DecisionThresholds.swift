import Foundation

/// Retrofitting the decision rule of a classifier: score thresholds searched for the real metric
/// (AfterLearnER's threshold-based criteria).
///
/// - `binary`: one score per sample (e.g. the positive-class probability); the prediction is 1 when
///   `score >= threshold`, else 0. Variable `threshold` (scalar) in [lower, upper], initial `initial`.
/// - `perClass`: [N, C] scores (e.g. probabilities); the prediction is the highest-scoring class
///   among those with `score_c >= t_c`; when no class clears its threshold, `fallback` (a reject or
///   background class) or, if nil, the plain argmax. Variable `thresholds` of shape [C] in
///   [lower, upper], initial `initial`; with probabilities, the default initial 0 (below every
///   score) reproduces the argmax.
public struct DecisionThresholds: Sendable {
    /// Which rule the thresholds feed.
    public enum Rule: Sendable, Equatable {
        case binary
        case perClass(classes: Int, fallback: Int?)
    }

    public var rule: Rule
    public var lower: Double
    public var upper: Double
    public var initial: Double

    /// Defaults suit probabilities: binary in (0, 1) starting at 0.5; per class in (-0.25, 1) starting at 0.
    public init(rule: Rule, lower: Double? = nil, upper: Double? = nil, initial: Double? = nil) throws {
        let isBinary = rule == .binary
        let lower = lower ?? (isBinary ? 0 : -0.25), upper = upper ?? 1
        let initial = initial ?? (isBinary ? 0.5 : 0)
        guard lower < initial, initial < upper else {
            throw KaizenError.invalidArgument(name: "thresholds", detail: "need lower < initial < upper, got \(lower), \(initial), \(upper)")
        }
        if case let .perClass(c, fallback) = rule {
            guard c >= 1 else { throw KaizenError.invalidArgument(name: "classes", detail: "must be at least 1, got \(c)") }
            if let f = fallback, f < 0 || f >= c { throw KaizenError.invalidArgument(name: "fallback", detail: "class \(f) outside 0..<\(c)") }
        }
        self.rule = rule
        self.lower = lower
        self.upper = upper
        self.initial = initial
    }

    /// Number of thresholds searched.
    public var count: Int {
        if case let .perClass(c, _) = rule { return c }
        return 1
    }

    public func variables() throws -> [Variable] {
        [try Variable.continuous(rule == .binary ? "threshold" : "thresholds", shape: rule == .binary ? [] : [count],
                                 lower: lower, upper: upper, initial: [initial])]
    }

    /// The thresholds of an assignment.
    public func decode(_ assignment: Assignment) throws -> [Double] {
        try RetrofitSupport.values(assignment, rule == .binary ? "threshold" : "thresholds", count: count)
    }

    /// Predictions of the rule for `scores` ([N] for binary, row-major [N, C] per class).
    public func predict(_ scores: [Float], thresholds: [Double]) throws -> [Int] {
        guard thresholds.count == count else {
            throw KaizenError.shapeMismatch(op: "DecisionThresholds", detail: "\(thresholds.count) thresholds, the rule needs \(count)")
        }
        switch rule {
        case .binary:
            let t = thresholds[0]
            return scores.map { Double($0) >= t ? 1 : 0 }
        case let .perClass(c, fallback):
            guard scores.count % c == 0 else {
                throw KaizenError.shapeMismatch(op: "DecisionThresholds", detail: "\(scores.count) scores are not rows of \(c) classes")
            }
            return (0..<(scores.count / c)).map { r in
                var best = -1, bestScore = -Float.infinity, argmax = 0
                for j in 0..<c {
                    let s = scores[r * c + j]
                    if s > scores[r * c + argmax] { argmax = j }
                    if Double(s) >= thresholds[j], s > bestScore { best = j; bestScore = s }
                }
                return best >= 0 ? best : (fallback ?? argmax)
            }
        }
    }
}
