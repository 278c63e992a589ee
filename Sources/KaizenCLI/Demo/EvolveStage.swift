import Foundation
import Kaizen

/// Demo of Evolve: a classifier trained on few labels is retrofitted for macro-F1 by searching its
/// per-class logit offsets on a small validation set; the test gain is the result.
enum EvolveStage {
    static func run(_ ctx: DemoContext, data: DemoData) async throws {
        let n = data.trainFeatures.shape[0]
        var rng = RandomGenerator(seed: ctx.seed &+ 7)
        let order = rng.permutation(n)
        let trainRows = Array(order.prefix(100)), valRows = Array(order.dropFirst(100).prefix(300))
        var probe = LinearProbe(seed: ctx.seed)
        try probe.fit(features: data.trainFeatures.indexSelect(axis: 0, indices: trainRows), labels: trainRows.map { data.trainLabels[$0] }, classCount: 10)
        let valLogits = try probe.logits(data.trainFeatures.indexSelect(axis: 0, indices: valRows))
        let testLogits = try probe.logits(data.testFeatures)
        var config = LogitOffsetRetrofit.Configuration()
        config.metric = .macroF1
        config.budget = 300
        config.seed = ctx.seed
        let report = try await LogitOffsetRetrofit(configuration: config).run(
            validationLogits: valLogits, validationLabels: valRows.map { data.trainLabels[$0] },
            testLogits: testLogits, testLabels: data.testLabels)
        ctx.log(String(format: "evolve: macro-F1 validation %.3f -> %.3f, test %.3f -> %.3f (bound %.3f, %d evaluations, %@)",
                       report.validationBefore, report.validationAfter, report.testBefore, report.testAfter,
                       report.overfittingBound, report.evaluations, report.optimizer))
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report))
        ctx.results["evolve"] = encoded
        let chart = SVGChart.lines(title: "Best validation macro-F1 during the search", xLabel: "evaluations", yLabel: "macro-F1",
                                   lines: [.init(label: report.optimizer, points: report.bestSoFar.enumerated().map { (Double($0.offset + 1), $0.element) })])
        let bars = SVGChart.bars(title: "Macro-F1 before and after retrofitting", yLabel: "macro-F1", categories: ["validation (300)", "test (\(data.testLabels.count))"],
                                 series: [("before", [report.validationBefore, report.testBefore]), ("after", [report.validationAfter, report.testAfter])])
        let gain = report.testAfter - report.testBefore
        ctx.sections.append(.init(
            id: "evolve", title: "Evolve: optimise a metric that has no gradient",
            summary: String(format: "A linear probe trained on 100 labeled images is retrofitted by searching its 10 per-class logit offsets for macro-F1 with a gradient-free optimiser (%@, %d evaluations) on 300 validation images. Validation macro-F1 went from %.3f to %.3f; on the %d held-out test images it went from %.3f to %.3f (%@%.3f). With 300 validation images and %d evaluations, up to %.3f of a validation gain can be luck (the overfitting bound), which is why the test score is the one that counts.",
                             report.optimizer, report.evaluations, report.validationBefore, report.validationAfter, data.testLabels.count,
                             report.testBefore, report.testAfter, gain >= 0 ? "+" : "", gain, report.evaluations, report.overfittingBound),
            charts: [bars, chart],
            table: [["", "before", "after"],
                    ["validation macro-F1", String(format: "%.3f", report.validationBefore), String(format: "%.3f", report.validationAfter)],
                    ["test macro-F1", String(format: "%.3f", report.testBefore), String(format: "%.3f", report.testAfter)],
                    ["overfitting bound", "", String(format: "%.3f", report.overfittingBound)]]))
    }
}
