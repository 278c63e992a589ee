import Foundation
import KaizenNN
import KaizenModels

/// AfterLearnER retrofitting of a trained classifier's per-class logit offsets for a metric that
/// has no gradient (macro-F1, worst-class recall, ...): a gradient-free optimiser searches C offsets
/// on a small validation set; the held-out test score is reported beside the validation score,
/// with the overfitting bound of the run.
public struct LogitOffsetRetrofit: Sendable {
    /// Settings of a run (the spec's small-budget regime by default).
    public struct Configuration: Sendable {
        /// Metric to maximise.
        public var metric: MetricName = .macroF1
        /// (1+1)-ES starts from the trained model and adapts its step; CMA-ES (the automatic choice
        /// at this budget) samples a population around it first and, on a fine-tuned
        /// EfficientNet-Lite0, never beat the unchanged model in 300 evaluations (BENCHMARKS.md).
        public var optimizer: OptimizerKind = .onePlusOne
        /// Objective evaluations (a few dozen to a few hundred).
        public var budget = 300
        public var seed: UInt64 = 0
        /// Initial step of the search per offset, as a fraction of the median margin between the
        /// two largest validation logits: offsets that size flip only the closest calls. (Scaling
        /// by the logits' overall spread, which per-class biases can dominate, made the first
        /// candidates predict a single class, and CMA-ES never beat the unchanged model on a
        /// fine-tuned EfficientNet-Lite0 in 300 evaluations.) Offsets are unbounded.
        public var step = 0.25
        public init() {}
    }

    /// Validation and held-out scores before and after, the offsets and the run's convergence.
    public typealias Report = RetrofitReport

    public var configuration: Configuration
    public init(configuration: Configuration = Configuration()) { self.configuration = configuration }

    /// Runs the search on validation logits [Nv, C] and scores the result on test logits [Nt, C].
    public func run(validationLogits: Tensor, validationLabels: [Int], testLogits: Tensor, testLabels: [Int],
                    progress: (@Sendable (EvolveProgress) -> Void)? = nil) async throws -> Report {
        guard validationLogits.rank == 2, testLogits.rank == 2, validationLogits.shape[1] == testLogits.shape[1],
              validationLogits.shape[0] == validationLabels.count, testLogits.shape[0] == testLabels.count else {
            throw KaizenError.shapeMismatch(op: "LogitOffsetRetrofit", detail: "logits must be [N, C] with one label per row and the same C")
        }
        let c = validationLogits.shape[1]
        let val = validationLogits.scalars, test = testLogits.scalars
        let margin = Swift.max(Self.medianMargin(val, classes: c), 1e-6)
        let space = try SearchSpace([.continuous("offsets", shape: [c], sigma: configuration.step * margin, initial: Array(repeating: 0, count: c))])
        let metric = configuration.metric
        let valLabels = validationLabels
        let objective: Evolve.Objective = { assignment in
            let offsets = assignment["offsets"]?.numeric ?? []
            return -(try LogitOffsetRetrofit.score(val, classes: c, labels: valLabels, offsets: offsets, metric: metric))
        }
        let optimizer = try AnyOptimizer.make(configuration.optimizer, space: space, budget: configuration.budget, seed: configuration.seed)
        let result = try await Evolve.minimize(objective, space: space, optimizer: optimizer, budget: configuration.budget, progress: progress)
        let zero = Array(repeating: 0.0, count: c)
        var best = result.assignment?["offsets"]?.numeric ?? zero
        // Optimisers that never evaluate the starting point (CMA-ES) can end below it: keep the model then.
        if try Self.score(val, classes: c, labels: validationLabels, offsets: best, metric: metric)
            < Self.score(val, classes: c, labels: validationLabels, offsets: zero, metric: metric) { best = zero }
        // The gradient-based alternative: temperature and biases fitted on the validation cross-entropy;
        // argmax(z / T + b) = argmax(z + T b), so it is scored as offsets T b.
        var baselines: [String: [Double]] = [:]
        if validationLabels.allSatisfy({ $0 >= 0 && $0 < c }) {
            let fit = try GradientCalibration().fit(logits: val, classes: c, labels: validationLabels)
            let equivalent = fit.offsets.map { $0 * fit.temperature }
            baselines["gradient-calibration"] = [try Self.score(val, classes: c, labels: validationLabels, offsets: equivalent, metric: metric),
                                                 try Self.score(test, classes: c, labels: testLabels, offsets: equivalent, metric: metric)]
        }
        return Report(
            target: "logit-offsets", metric: metric, optimizer: optimizer.kind.rawValue,
            validationBefore: try Self.score(val, classes: c, labels: validationLabels, offsets: zero, metric: metric),
            validationAfter: try Self.score(val, classes: c, labels: validationLabels, offsets: best, metric: metric),
            testBefore: try Self.score(test, classes: c, labels: testLabels, offsets: zero, metric: metric),
            testAfter: try Self.score(test, classes: c, labels: testLabels, offsets: best, metric: metric),
            overfittingBound: try OverfittingBound.value(validationSize: validationLabels.count, evaluations: result.evaluations),
            evaluations: result.evaluations, validationSize: validationLabels.count, testSize: testLabels.count,
            recommendation: ["offsets": best], bestSoFar: result.history.map { -$0.bestSoFar }, baselines: baselines)
    }

    /// Adds `offsets` to the bias of `head` (times `scale`), so the saved model predicts
    /// argmax(logits + offsets) with no extra machinery.
    public static func fold(_ offsets: [Double], into head: Linear, scale: Double = 1) throws {
        guard let bias = head.bias else {
            throw KaizenError.invalidArgument(name: "model", detail: "its head has no bias to hold the logit offsets")
        }
        guard offsets.count == head.outFeatures else {
            throw KaizenError.shapeMismatch(op: "LogitOffsetRetrofit.fold", detail: "\(offsets.count) offsets for a head of \(head.outFeatures) outputs")
        }
        let b = RetrofitSupport.snapshot(bias.value)
        RetrofitSupport.write(zip(b, offsets).map { Float(Double($0) + scale * $1) }, into: bias.value)
    }

    /// Folds `offsets` into an image classifier's head; for a side-tuned blend, into the side
    /// network's head scaled by 1 / (1 - alpha), since the blend weighs the side's logits by 1 - alpha.
    public static func fold(_ offsets: [Double], into model: any ImageClassifier) throws {
        if let blend = model as? LogitBlendClassifier {
            guard blend.alpha < 1 else {
                throw KaizenError.invalidArgument(name: "model", detail: "a blend with alpha = 1 ignores its side network, so it cannot hold logit offsets")
            }
            return try fold(offsets, into: blend.side.head, scale: 1 / Double(1 - blend.alpha))
        }
        try fold(offsets, into: model.head)
    }

    /// Median over rows of the gap between the largest and second-largest logit.
    static func medianMargin(_ logits: [Float], classes c: Int) -> Double {
        guard c >= 2, logits.count >= c else { return 1 }
        var gaps: [Double] = []
        gaps.reserveCapacity(logits.count / c)
        for row in 0..<(logits.count / c) {
            var first = -Double.infinity, second = -Double.infinity
            for j in 0..<c {
                let v = Double(logits[row * c + j])
                if v > first { second = first; first = v } else if v > second { second = v }
            }
            gaps.append(first - second)
        }
        gaps.sort()
        return gaps[gaps.count / 2]
    }

    /// The metric of argmax(logits + offsets).
    static func score(_ logits: [Float], classes c: Int, labels: [Int], offsets: [Double], metric: MetricName) throws -> Double {
        let n = labels.count
        var predictions = [Int](repeating: 0, count: n)
        for i in 0..<n {
            var best = 0, bestValue = -Double.infinity
            for j in 0..<c {
                let v = Double(logits[i * c + j]) + (j < offsets.count ? offsets[j] : 0)
                if v > bestValue { bestValue = v; best = j }
            }
            predictions[i] = best
        }
        return metric.score(try ClassificationMetrics(predictions: predictions, labels: labels, classCount: c))
    }
}
