import Foundation
import KaizenNN
import KaizenModels

/// AfterLearnER retrofit of an image classifier to a shifted domain through its BatchNorm running
/// statistics (Videau et al., "Evolutionary Retrofitting"): target-domain statistics are estimated on
/// the validation images (their labels are not needed for that), then a mixing weight between the
/// source and target statistics (one for all layers, or one per layer) is searched for a metric on the
/// labelled validation images; a recommendation below the unchanged model on validation is dropped. Full re-estimation (weight 1, AdaBN) is reported as the alternative
/// that needs no search. The model is left with the recommendation applied.
public struct BatchNormRetrofit: Sendable {
    /// Settings of a run.
    public struct Configuration: Sendable {
        /// Metric to maximise on the validation images.
        public var metric: MetricName = .accuracy
        /// (1+1)-ES: its first candidate is the unchanged model (as for `LogitOffsetRetrofit`).
        public var optimizer: OptimizerKind = .onePlusOne
        /// Objective evaluations; each is a forward pass over the validation images.
        public var budget = 30
        public var seed: UInt64 = 0
        /// One weight for all layers (`.global`) or one per layer.
        public var sharing: BatchNormStatisticsMixing.Sharing = .global
        /// BatchNorm layers to mix by dotted name (nil: all of them).
        public var layers: [String]? = nil
        /// Images per forward pass (also the batch size of the statistics estimate).
        public var batchSize = 50
        public init() {}
    }

    public var configuration: Configuration
    public init(configuration: Configuration = Configuration()) { self.configuration = configuration }

    /// Searches the mixing weights on `validation` and scores before/after on `test`; labels index
    /// the model's classes.
    public func run(model: any ImageClassifier, validationImages: Tensor, validationLabels: [Int],
                    testImages: Tensor, testLabels: [Int],
                    progress: (@Sendable (EvolveProgress) -> Void)? = nil) async throws -> RetrofitReport {
        guard validationImages.rank == 4, testImages.rank == 4,
              validationImages.shape[0] == validationLabels.count, testImages.shape[0] == testLabels.count else {
            throw KaizenError.shapeMismatch(op: "BatchNormRetrofit", detail: "images must be [N, 3, H, W] with one label each (validation \(Shape.describe(validationImages.shape)) for \(validationLabels.count), test \(Shape.describe(testImages.shape)) for \(testLabels.count))")
        }
        let config = configuration
        let classes = model.classCount
        model.eval()
        func score(_ x: Tensor, _ y: [Int]) throws -> Double {
            let p = try noGrad { try ClassifierInference.predictions(model, images: x, batchSize: config.batchSize) }
            return config.metric.score(try ClassificationMetrics(predictions: p, labels: y, classCount: classes))
        }
        let mixing = try BatchNormStatisticsMixing(model: model, layers: config.layers, sharing: config.sharing)
        try mixing.estimateTargetStatistics(images: validationImages, batchSize: Swift.max(2, config.batchSize)) { x in
            try noGrad { try model(x) }
        }
        let before = (try score(validationImages, validationLabels), try score(testImages, testLabels))
        try mixing.apply(mix: Array(repeating: 1, count: mixing.layerNames.count))
        let full = [try score(validationImages, validationLabels), try score(testImages, testLabels)]
        try mixing.restore()

        let objective = RetrofitObjective(targets: [mixing]) { -(try score(validationImages, validationLabels)) }
        let space = try objective.space()
        let optimizer = try AnyOptimizer.make(config.optimizer, space: space, budget: config.budget, seed: config.seed)
        let result = try await Evolve.minimize(objective.objective, space: space, optimizer: optimizer, budget: config.budget, progress: progress)
        guard let best = result.assignment else {
            try mixing.restore()
            throw KaizenError.invalidArgument(name: "budget", detail: "the search made no evaluation; give a budget of at least 1")
        }
        try objective.apply(best)
        var mix = best["bn.mix"]?.numeric ?? []
        var after = (try score(validationImages, validationLabels), try score(testImages, testLabels))
        // Optimisers that never evaluate the starting point (CMA-ES) can end below it: keep the model then.
        if after.0 < before.0 {
            try mixing.restore()
            mix = mix.map { _ in 0 }
            after = before
        }
        return RetrofitReport(
            target: "batchnorm-mix", metric: config.metric, optimizer: optimizer.kind.rawValue,
            validationBefore: before.0, validationAfter: after.0, testBefore: before.1, testAfter: after.1,
            overfittingBound: try OverfittingBound.value(validationSize: validationLabels.count, evaluations: result.evaluations),
            evaluations: result.evaluations, validationSize: validationLabels.count, testSize: testLabels.count,
            recommendation: ["bn.mix": mix],
            bestSoFar: result.history.map { -$0.bestSoFar }, baselines: ["full-reestimation": full])
    }
}
