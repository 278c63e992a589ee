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
        var results = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any] ?? [:]
        results["labeled"] = trainRows.count
        ctx.results["evolve"] = results
    }

    static func section(_ r: DemoResults) throws -> HTMLReport.Section {
        let valBefore = try r["validationBefore"].double(), valAfter = try r["validationAfter"].double()
        let testBefore = try r["testBefore"].double(), testAfter = try r["testAfter"].double()
        let bound = try r["overfittingBound"].double(), evaluations = try r["evaluations"].int()
        let optimizer = try r["optimizer"].string(), metric = try r["metric"].string()
        let nVal = try r["validationSize"].int(), nTest = try r["testSize"].int(), labeled = try r["labeled"].int()
        let classes = try r["recommendation"]["offsets"].doubles().count
        let curve = try r["bestSoFar"].doubles()
        let chart = SVGChart.lines(title: "Best validation \(metric) during the search", xLabel: "evaluations", yLabel: metric,
                                   lines: [.init(label: optimizer, points: curve.enumerated().map { (Double($0.offset + 1), $0.element) })])
        let bars = SVGChart.bars(title: "\(metric) before and after retrofitting", yLabel: metric, categories: ["validation (\(nVal))", "test (\(nTest))"],
                                 series: [("before", [valBefore, testBefore]), ("after", [valAfter, testAfter])])
        let gain = testAfter - testBefore
        let f = { DemoFormat.decimal($0) }
        return .init(
            id: "evolve", title: "Evolve: optimise a metric that has no gradient",
            summary: "A linear probe trained on \(labeled) labeled images is retrofitted by searching its \(classes) per-class logit offsets for \(metric) with a gradient-free optimiser (\(optimizer), \(evaluations) evaluations) on \(nVal) validation images. Validation \(metric) went from \(f(valBefore)) to \(f(valAfter)); on the \(nTest) held-out test images it went from \(f(testBefore)) to \(f(testAfter)) (\(gain >= 0 ? "+" : "")\(f(gain))). With \(nVal) validation images and \(evaluations) evaluations, up to \(f(bound)) of a validation gain can be luck (the overfitting bound), which is why the test score is the one that counts.",
            charts: [bars, chart],
            table: [["", "before", "after"],
                    ["validation \(metric)", f(valBefore), f(valAfter)],
                    ["test \(metric)", f(testBefore), f(testAfter)],
                    ["overfitting bound", "", f(bound)]])
    }
}
