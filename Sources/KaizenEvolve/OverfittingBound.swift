import Foundation

/// The overfitting bound of AfterLearnER (spec section 2): picking the best of `k * b` candidates on
/// `n` i.i.d. validation examples with a loss in [0, 1] overfits by at most
/// `sqrt((ln(k b) + ln(1 / delta)) / (2 n))` with probability 1 - delta (Hoeffding and a union bound).
public enum OverfittingBound {
    public static func value(validationSize n: Int, evaluations b: Int, runs k: Int = 1, delta: Double = 0.05) throws -> Double {
        guard n >= 1 else { throw KaizenError.invalidArgument(name: "validationSize", detail: "must be at least 1, got \(n)") }
        guard b >= 1 else { throw KaizenError.invalidArgument(name: "evaluations", detail: "must be at least 1, got \(b)") }
        guard k >= 1 else { throw KaizenError.invalidArgument(name: "runs", detail: "must be at least 1, got \(k)") }
        guard delta > 0, delta < 1 else { throw KaizenError.invalidArgument(name: "delta", detail: "must be in (0, 1), got \(delta)") }
        return ((Foundation.log(Double(k) * Double(b)) + Foundation.log(1 / delta)) / (2 * Double(n))).squareRoot()
    }
}
