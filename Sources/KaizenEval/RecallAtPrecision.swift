/// Recall at a fixed precision: the highest recall of a positive class over all decision
/// thresholds `score >= t` whose precision is at least `minimumPrecision` (a standard operating
/// point for detection and screening; 0 when no threshold reaches the precision).
/// Tied scores are one threshold (they are all accepted or all rejected together).
public enum RecallAtPrecision {
    /// The best operating point: its recall, precision and threshold (nil when none qualifies).
    public struct OperatingPoint: Sendable, Equatable {
        public var recall: Double
        public var precision: Double
        public var threshold: Float?
    }

    /// Binary: one score per sample, `positives[i]` true for the positive class.
    public static func binary(scores: [Float], positives: [Bool], minimumPrecision: Double) throws -> OperatingPoint {
        guard scores.count == positives.count else {
            throw KaizenError.shapeMismatch(op: "RecallAtPrecision", detail: "\(scores.count) scores for \(positives.count) labels")
        }
        guard minimumPrecision >= 0, minimumPrecision <= 1 else {
            throw KaizenError.invalidArgument(name: "minimumPrecision", detail: "must lie in [0, 1], got \(minimumPrecision)")
        }
        let total = positives.reduce(0) { $0 + ($1 ? 1 : 0) }
        guard total > 0 else { throw KaizenError.invalidArgument(name: "labels", detail: "no positive sample: recall is undefined") }
        guard !scores.contains(where: \.isNaN) else { throw KaizenError.invalidArgument(name: "scores", detail: "contain NaN") }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var best = OperatingPoint(recall: 0, precision: 0, threshold: nil)
        var tp = 0, fp = 0, k = 0
        while k < order.count {
            let s = scores[order[k]]
            while k < order.count, scores[order[k]] == s {
                if positives[order[k]] { tp += 1 } else { fp += 1 }
                k += 1
            }
            let precision = Double(tp) / Double(tp + fp), recall = Double(tp) / Double(total)
            if precision >= minimumPrecision, recall > best.recall || best.threshold == nil && recall >= best.recall {
                best = OperatingPoint(recall: recall, precision: precision, threshold: s)
            }
        }
        return best
    }

    /// One-vs-rest for class `positiveClass` of row-major [N, C] scores (e.g. probabilities).
    public static func oneVsRest(scores: [Float], classes c: Int, labels: [Int], positiveClass: Int, minimumPrecision: Double) throws -> OperatingPoint {
        guard c > 0, scores.count == labels.count * c else {
            throw KaizenError.shapeMismatch(op: "RecallAtPrecision", detail: "\(scores.count) scores for \(labels.count) labels of \(c) classes")
        }
        guard positiveClass >= 0, positiveClass < c else {
            throw KaizenError.invalidArgument(name: "positiveClass", detail: "\(positiveClass) is outside 0..<\(c)")
        }
        return try binary(scores: labels.indices.map { scores[$0 * c + positiveClass] }, positives: labels.map { $0 == positiveClass },
                          minimumPrecision: minimumPrecision)
    }
}
