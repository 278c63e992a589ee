import Foundation

/// Retrofitting a classifier's softmax temperature (Guo et al., "On calibration of modern neural
/// networks", 2017), optionally together with per-class logit offsets: scores become
/// `logits / T + b`. T alone never changes the argmax; it matters for probability-based decisions
/// (thresholds, calibration) and, with offsets, sets how strongly the offsets act.
///
/// Variables: `temperature` (scalar, log scale, in [lower, upper], initial 1) and, with
/// `offsetClasses` C > 0, `offsets` of shape [C] in [-offsetRange, offsetRange] (initial 0).
public struct TemperatureScaling: Sendable {
    public var lower: Double
    public var upper: Double
    /// Number of per-class offsets searched with the temperature (0: temperature only).
    public var offsetClasses: Int
    /// Offsets lie in [-offsetRange, offsetRange] (in logit units after division by T).
    public var offsetRange: Double

    public init(lower: Double = 0.05, upper: Double = 20, offsetClasses: Int = 0, offsetRange: Double = 3) throws {
        guard lower > 0, lower < 1, upper > 1, upper.isFinite else {
            throw KaizenError.invalidArgument(name: "temperature bounds", detail: "need 0 < lower < 1 < upper, got [\(lower), \(upper)]")
        }
        guard offsetClasses >= 0, offsetRange > 0 else {
            throw KaizenError.invalidArgument(name: "offsets", detail: "need offsetClasses >= 0 and offsetRange > 0")
        }
        self.lower = lower
        self.upper = upper
        self.offsetClasses = offsetClasses
        self.offsetRange = offsetRange
    }

    public func variables() throws -> [Variable] {
        var v = [try Variable.continuous("temperature", lower: lower, upper: upper, log: true, initial: [1])]
        if offsetClasses > 0 {
            v.append(try Variable.continuous("offsets", shape: [offsetClasses], lower: -offsetRange, upper: offsetRange, initial: [0]))
        }
        return v
    }

    /// The temperature and offsets of an assignment (offsets empty when not searched).
    public func decode(_ assignment: Assignment) throws -> (temperature: Double, offsets: [Double]) {
        let t = try RetrofitSupport.values(assignment, "temperature", count: 1)[0]
        let b = offsetClasses > 0 ? try RetrofitSupport.values(assignment, "offsets", count: offsetClasses) : []
        return (t, b)
    }

    /// `logits / T + b` for row-major [N, C] logits (b empty: no offsets).
    public static func transform(_ logits: [Float], classes c: Int, temperature t: Double, offsets b: [Double] = []) throws -> [Float] {
        guard c > 0, logits.count % c == 0, b.isEmpty || b.count == c else {
            throw KaizenError.shapeMismatch(op: "TemperatureScaling", detail: "\(logits.count) logits, \(c) classes, \(b.count) offsets")
        }
        guard t > 0, t.isFinite else { throw KaizenError.invalidArgument(name: "temperature", detail: "must be positive, got \(t)") }
        var out = logits
        for i in 0..<out.count { out[i] = Float(Double(out[i]) / t + (b.isEmpty ? 0 : b[i % c])) }
        return out
    }

    /// Row-wise softmax of `logits / T + b`.
    public static func probabilities(_ logits: [Float], classes c: Int, temperature t: Double, offsets b: [Double] = []) throws -> [Float] {
        var s = try transform(logits, classes: c, temperature: t, offsets: b)
        for r in 0..<(s.count / c) {
            let row = r * c
            var m = -Float.infinity
            for j in 0..<c { m = max(m, s[row + j]) }
            var total: Float = 0
            for j in 0..<c { let e = Foundation.exp(s[row + j] - m); s[row + j] = e; total += e }
            for j in 0..<c { s[row + j] /= total }
        }
        return s
    }
}
