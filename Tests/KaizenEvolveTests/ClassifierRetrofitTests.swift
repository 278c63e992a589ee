import Foundation
import KaizenModels
import KaizenNN
import Testing
@testable import KaizenEvolve

/// Retrofitting a classifier: logit offsets folded into the head give exactly logits + offsets (also
/// for a side-tuned blend), and a BatchNorm retrofit run starts from the model, never lowers the
/// validation score, reports full re-estimation and leaves the recommendation applied.
@Suite struct ClassifierRetrofitTests {
    static func images(_ n: Int, seed: UInt64, shift: Float = 0) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return rng.uniform([n, 3, 8, 8], low: -1 + shift, high: 1 + shift)
    }

    @Test func foldedOffsetsShiftTheLogitsExactly() throws {
        let model = try SmallCNN(classes: 3, widths: [4, 6], seed: 1)
        model.eval()
        let x = Self.images(5, seed: 2)
        let before = try ClassifierInference.logits(model, images: x).scalars
        let offsets = [0.5, -1.25, 2.0]
        try LogitOffsetRetrofit.fold(offsets, into: model)
        let after = try ClassifierInference.logits(model, images: x).scalars
        for (i, (a, b)) in zip(after, before).enumerated() { #expect(abs(Double(a - b) - offsets[i % 3]) < 1e-5) }
        #expect(throws: KaizenError.self) { try LogitOffsetRetrofit.fold([1, 2], into: model) }
    }

    @Test func foldedOffsetsInABlendAreScaledByTheSideWeight() throws {
        let base = try SmallCNN(classes: 3, widths: [4, 6], seed: 1), side = try SmallCNN(classes: 3, widths: [4, 6], seed: 2)
        let blend = try LogitBlendClassifier(base: base, side: side, alpha: 0.75)
        blend.eval()
        let x = Self.images(4, seed: 3)
        let before = try ClassifierInference.logits(blend, images: x).scalars
        let offsets = [1.0, 0, -0.5]
        try LogitOffsetRetrofit.fold(offsets, into: blend)
        let after = try ClassifierInference.logits(blend, images: x).scalars
        for (i, (a, b)) in zip(after, before).enumerated() { #expect(abs(Double(a - b) - offsets[i % 3]) < 1e-5) }
    }

    @Test func batchNormRetrofitNeverLowersValidationAndLeavesTheRecommendation() async throws {
        let model = try SmallCNN(classes: 2, widths: [4, 6], seed: 4)
        model.eval()
        // Labels: the model's own predictions on clean images; the shifted domain breaks them.
        let clean = Self.images(60, seed: 5)
        let labels = try ClassifierInference.predictions(model, images: clean)
        let shifted = clean * 1.8 + 0.7
        let valRows = Array(0..<40), testRows = Array(40..<60)
        let xVal = try shifted.indexSelect(axis: 0, indices: valRows), xTest = try shifted.indexSelect(axis: 0, indices: testRows)
        var config = BatchNormRetrofit.Configuration()
        config.budget = 12
        config.batchSize = 20
        config.sharing = .perLayer
        config.optimizer = .onePlusOne
        let report = try await BatchNormRetrofit(configuration: config).run(
            model: model, validationImages: xVal, validationLabels: valRows.map { labels[$0] },
            testImages: xTest, testLabels: testRows.map { labels[$0] })
        #expect(report.target == "batchnorm-mix" && report.evaluations == 12)
        #expect(report.validationAfter >= report.validationBefore)
        #expect(report.bestSoFar.first == report.validationBefore, "the first candidate is the unchanged model")
        #expect(report.recommendation["bn.mix"]?.count == model.norms.count)
        #expect(report.baselines["full-reestimation"]?.count == 2)
        let p = try ClassifierInference.predictions(model, images: xVal)
        let accuracy = Double(zip(p, valRows.map { labels[$0] }).filter { $0 == $1 }.count) / 40
        #expect(accuracy == report.validationAfter)
    }
}
