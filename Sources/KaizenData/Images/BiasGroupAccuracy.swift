/// Accuracies over (class, colour) groups of a coloured split: `unbiased` is the mean over the
/// non-empty groups (equal to plain accuracy on a balanced split), `worstGroup` the smallest group
/// accuracy, `aligned` / `conflicting` the accuracy on samples whose colour is / is not their class's.
public struct BiasGroupAccuracy: Sendable {
    public let overall: Double, unbiased: Double, worstGroup: Double, aligned: Double, conflicting: Double

    public init(predictions: [Int], labels: [Int], colours: [Int]) throws {
        guard predictions.count == labels.count, colours.count == labels.count, !labels.isEmpty else {
            throw KaizenError.shapeMismatch(op: "BiasGroupAccuracy", detail: "\(predictions.count) predictions, \(labels.count) labels, \(colours.count) colours (need equal, non-zero)")
        }
        var groups: [Int: (hit: Int, total: Int)] = [:]
        var alignedHit = 0, alignedTotal = 0, hit = 0
        for k in labels.indices {
            let correct = predictions[k] == labels[k] ? 1 : 0
            hit += correct
            let key = labels[k] &* 1_000_003 &+ colours[k]
            let g = groups[key] ?? (0, 0)
            groups[key] = (g.hit + correct, g.total + 1)
            if labels[k] == colours[k] { alignedHit += correct; alignedTotal += 1 }
        }
        let rates = groups.values.map { Double($0.hit) / Double($0.total) }
        overall = Double(hit) / Double(labels.count)
        unbiased = rates.reduce(0, +) / Double(rates.count)
        worstGroup = rates.min() ?? 0
        aligned = alignedTotal > 0 ? Double(alignedHit) / Double(alignedTotal) : .nan
        let conflictingTotal = labels.count - alignedTotal
        conflicting = conflictingTotal > 0 ? Double(hit - alignedHit) / Double(conflictingTotal) : .nan
    }
}
