import Foundation
import Kaizen

/// Demo of Select: linear-probe test accuracy when only the selected pool samples are labeled.
enum SelectStage {
    static let methods: [SelectionMethod] = [.random, .activeft, .bilaf]

    static func run(_ ctx: DemoContext, data: DemoData) throws {
        let n = data.trainFeatures.shape[0]
        let percents = [0.5, 1.0, 2.0, 5.0]
        var accuracy: [String: [Double]] = [:]
        var table: [[String]] = [["method"] + percents.map { "\($0)% (\(Int(Double(n) * $0 / 100)))" }]
        var lastBilaf: SelectionResult?
        for method in methods {
            var row = [method.rawValue]
            for p in percents {
                let budget = try Budget(parsing: "\(p)%")
                let start = Date()
                let result = try Selection.select(features: data.trainFeatures, budget: budget, method: method, seed: ctx.seed)
                var probe = LinearProbe(seed: ctx.seed)
                let x = try data.trainFeatures.indexSelect(axis: 0, indices: result.indices)
                try probe.fit(features: x, labels: result.indices.map { data.trainLabels[$0] }, classCount: 10)
                let acc = try ClassificationMetrics(predictions: probe.predict(data.testFeatures), labels: data.testLabels, classCount: 10).accuracy
                accuracy[method.rawValue, default: []].append(acc)
                row.append(String(format: "%.1f%%", 100 * acc))
                ctx.log(String(format: "select %@ %.1f%% (%d labels): test accuracy %.2f%% (%.1f s)", method.rawValue, p, result.budget, 100 * acc, Date().timeIntervalSince(start)))
                if method == .bilaf && p == 1 { lastBilaf = result }
            }
            table.append(row)
        }
        let budgets = percents.map { Double(n) * $0 / 100 }
        let chart = SVGChart.lines(title: "Test accuracy vs labeling budget (linear probe)",
                                   xLabel: "labeled samples (log scale)", yLabel: "test accuracy",
                                   lines: methods.map { .init(label: $0.rawValue, points: Array(zip(budgets, accuracy[$0.rawValue] ?? []))) }, logX: true)
        var charts = [chart]
        if let bilaf = lastBilaf { charts.append(try map(data.trainFeatures, bilaf)) }
        let best = methods.max { (accuracy[$0.rawValue]?[1] ?? 0) < (accuracy[$1.rawValue]?[1] ?? 0) }?.rawValue ?? "-"
        ctx.results["select"] = ["budgets_percent": percents, "budgets": budgets.map(Int.init), "test_accuracy": accuracy, "pool": n]
        ctx.sections.append(.init(
            id: "select", title: "Select: which samples to label",
            summary: "From a pool of \(n) unlabeled Fashion-MNIST images, each method picks a budget of samples to label; a linear probe on EfficientNet-Lite0 features is trained on those labels only and scored on \(data.testLabels.count) test images. At a 1% budget the best method here was \(best). BiLAF spends 0.5% of the pool on ActiveFT core samples and the rest on samples near the boundaries between them; the map shows the cores (red) and boundary picks (blue).",
            charts: charts, table: table))
    }

    static func map(_ x: Tensor, _ result: SelectionResult) throws -> String {
        try SelectionMap.svg(features: x, result: result, title: "BiLAF at 1%: pool in 2-D (PCA)", maxPoints: 3000)
    }
}
