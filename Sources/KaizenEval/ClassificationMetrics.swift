/// Classification metrics over integer class ids. A prediction or label of -1 (a class never seen
/// in training) always counts as an error.
public struct ClassificationMetrics: Sendable, Codable, Equatable {
    public let classCount: Int
    /// confusion[t][p]: samples of true class t predicted as p.
    public let confusion: [[Int]]
    public let total: Int
    public let correct: Int

    public init(predictions: [Int], labels: [Int], classCount: Int) throws {
        guard predictions.count == labels.count else {
            throw KaizenError.shapeMismatch(op: "metrics", detail: "\(predictions.count) predictions for \(labels.count) labels")
        }
        guard !labels.isEmpty else { throw KaizenError.invalidArgument(name: "labels", detail: "no samples to score") }
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
        var correct = 0
        for (p, t) in zip(predictions, labels) {
            if p == t && t >= 0 { correct += 1 }
            if t >= 0 && t < classCount && p >= 0 && p < classCount { confusion[t][p] += 1 }
        }
        self.classCount = classCount
        self.confusion = confusion
        self.total = labels.count
        self.correct = correct
        self.labelCounts = labels.reduce(into: [Int](repeating: 0, count: classCount)) { c, t in if t >= 0 && t < classCount { c[t] += 1 } }
    }

    /// Samples per true class (including those predicted as an unknown class).
    public let labelCounts: [Int]

    /// Top-1 accuracy.
    public var accuracy: Double { Double(correct) / Double(total) }

    /// Recall per class (nil for classes absent from the labels).
    public var perClassRecall: [Double?] {
        (0..<classCount).map { c in labelCounts[c] == 0 ? nil : Double(confusion[c][c]) / Double(labelCounts[c]) }
    }

    /// Mean of per-class recall over classes present in the labels (= balanced accuracy).
    public var meanPerClassAccuracy: Double {
        let r = perClassRecall.compactMap { $0 }
        return r.isEmpty ? 0 : r.reduce(0, +) / Double(r.count)
    }

    public var balancedAccuracy: Double { meanPerClassAccuracy }

    /// The lowest recall of any class present in the labels.
    public var worstClassRecall: Double { perClassRecall.compactMap { $0 }.min() ?? 0 }

    /// Unweighted mean of per-class F1 over classes present in labels or predictions.
    public var macroF1: Double {
        var sum = 0.0, n = 0
        for c in 0..<classCount {
            let tp = Double(confusion[c][c])
            let predicted = Double((0..<classCount).reduce(0) { $0 + confusion[$1][c] })
            let actual = Double(labelCounts[c])
            if predicted == 0 && actual == 0 { continue }
            let denom = predicted + actual
            sum += denom == 0 ? 0 : 2 * tp / denom
            n += 1
        }
        return n == 0 ? 0 : sum / Double(n)
    }

    /// Average cost per sample with cost[t][p] for predicting p when the truth is t.
    public func costWeightedError(cost: [[Double]]) throws -> Double {
        guard cost.count == classCount, cost.allSatisfy({ $0.count == classCount }) else {
            throw KaizenError.shapeMismatch(op: "costWeightedError", detail: "cost matrix must be \(classCount) x \(classCount)")
        }
        var total = 0.0
        for t in 0..<classCount { for p in 0..<classCount { total += cost[t][p] * Double(confusion[t][p]) } }
        return total / Double(self.total)
    }
}

/// Index of the largest value in each row of a [N, C] score matrix (ties to the lower index).
public func argmaxRows(_ scores: Tensor) throws -> [Int] {
    guard scores.rank == 2 else {
        throw KaizenError.shapeMismatch(op: "argmaxRows", detail: "expected [N, C], got \(Shape.describe(scores.shape))")
    }
    let c = scores.contiguousValues(), n = scores.shape[0], k = scores.shape[1]
    let p = c.basePointer
    return (0..<n).map { i in
        var best = 0
        for j in 1..<max(k, 1) where p[i * k + j] > p[i * k + best] { best = j }
        return best
    }
}
