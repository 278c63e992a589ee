import Testing
@testable import KaizenEval

/// Metrics used as AfterLearnER objectives, against hand-computed cases.
@Suite struct RetrofitMetricsTests {
    // labels 0,0,0,1,1,2; predictions 0,1,0,1,2,2: recalls 2/3, 1/2, 1.
    let m: ClassificationMetrics
    init() throws { m = try ClassificationMetrics(predictions: [0, 1, 0, 1, 2, 2], labels: [0, 0, 0, 1, 1, 2], classCount: 3) }

    @Test func balancedAccuracyAndWorstClassRecall() {
        #expect(abs(m.balancedAccuracy - (2.0 / 3 + 0.5 + 1) / 3) < 1e-12)
        #expect(m.worstClassRecall == 0.5)
        #expect(MetricName.worstClassRecall.score(m) == 0.5)
        #expect(abs(MetricName.balancedAccuracy.score(m) - 0.7222222222222222) < 1e-12)
    }

    @Test func costWeightedError() throws {
        // Errors: a 0 predicted as 1 and a 1 predicted as 2.
        let absolute = (0..<3).map { t in (0..<3).map { p in Double(abs(t - p)) } }
        #expect(abs(try m.costWeightedError(cost: absolute) - 2.0 / 6) < 1e-12)
        var asymmetric = [[Double]](repeating: [0, 0, 0], count: 3)
        asymmetric[0][1] = 5; asymmetric[1][2] = 2; asymmetric[2][0] = 100
        #expect(abs(try m.costWeightedError(cost: asymmetric) - 7.0 / 6) < 1e-12)
        #expect(throws: KaizenError.self) { try m.costWeightedError(cost: [[0, 1], [1, 0]]) }
    }

    // Sorted scores with positives T F T T F T: (precision, recall) at each threshold
    // 0.9 (1, .25), 0.8 (.5, .25), 0.7 (.667, .5), 0.6 (.75, .75), 0.5 (.6, .75), 0.4 (.667, 1).
    let scores: [Float] = [0.5, 0.9, 0.4, 0.7, 0.8, 0.6]
    let positives = [false, true, true, true, false, true]

    @Test func recallAtPrecisionBinary() throws {
        let p75 = try RecallAtPrecision.binary(scores: scores, positives: positives, minimumPrecision: 0.75)
        #expect(p75.recall == 0.75 && p75.precision == 0.75 && p75.threshold == 0.6)
        let p60 = try RecallAtPrecision.binary(scores: scores, positives: positives, minimumPrecision: 0.6)
        #expect(p60.recall == 1 && p60.threshold == 0.4)
        let p95 = try RecallAtPrecision.binary(scores: scores, positives: positives, minimumPrecision: 0.95)
        #expect(p95.recall == 0.25 && p95.threshold == 0.9)
        // Tied scores form one threshold: precision 1/2 never reaches 0.75.
        let tied = try RecallAtPrecision.binary(scores: [0.9, 0.9], positives: [true, false], minimumPrecision: 0.75)
        #expect(tied.recall == 0 && tied.threshold == nil)
        #expect(throws: KaizenError.self) { try RecallAtPrecision.binary(scores: [0.1], positives: [false], minimumPrecision: 0.5) }
    }

    @Test func recallAtPrecisionOneVsRest() throws {
        // Class 1 column holds the binary scores; labels 1 for positives, 0 or 2 otherwise.
        let labels = positives.enumerated().map { $0.element ? 1 : ($0.offset % 2 == 0 ? 0 : 2) }
        var rows: [Float] = []
        for s in scores { rows += [0.1, s, 0.2] }
        let p = try RecallAtPrecision.oneVsRest(scores: rows, classes: 3, labels: labels, positiveClass: 1, minimumPrecision: 0.75)
        #expect(p.recall == 0.75 && p.threshold == 0.6)
        #expect(throws: KaizenError.self) { try RecallAtPrecision.oneVsRest(scores: rows, classes: 3, labels: labels, positiveClass: 3, minimumPrecision: 0.5) }
    }
}
