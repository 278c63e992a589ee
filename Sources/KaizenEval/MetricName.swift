/// A classification metric chosen by name (`--metric`); higher is better for all of them.
public enum MetricName: String, Sendable, Codable, CaseIterable {
    case accuracy
    case balancedAccuracy = "balanced-accuracy"
    case macroF1 = "macro-f1"
    case worstClassRecall = "worst-class-recall"

    public func score(_ m: ClassificationMetrics) -> Double {
        switch self {
        case .accuracy: return m.accuracy
        case .balancedAccuracy: return m.balancedAccuracy
        case .macroF1: return m.macroF1
        case .worstClassRecall: return m.worstClassRecall
        }
    }
}
