import Foundation
import Kaizen

/// Demo of Select: linear-probe test accuracy when only the selected pool samples are labeled.
enum SelectStage {
    static let methods: [SelectionMethod] = [.random, .activeft, .bilaf]
    static let percents = [0.5, 1.0, 2.0, 5.0]

    static func run(_ ctx: DemoContext, data: DemoData) throws {
        let n = data.trainFeatures.shape[0]
        var accuracy: [String: [Double]] = [:]
        var map: SelectionMap.Layout?
        for method in methods {
            for p in percents {
                let budget = try Budget(parsing: "\(p)%")
                let start = Date()
                let result = try Selection.select(features: data.trainFeatures, budget: budget, method: method, seed: ctx.seed)
                var probe = LinearProbe(seed: ctx.seed)
                let x = try data.trainFeatures.indexSelect(axis: 0, indices: result.indices)
                try probe.fit(features: x, labels: result.indices.map { data.trainLabels[$0] }, classCount: 10)
                let acc = try ClassificationMetrics(predictions: probe.predict(data.testFeatures), labels: data.testLabels, classCount: 10).accuracy
                accuracy[method.rawValue, default: []].append(acc)
                ctx.log(String(format: "select %@ %.1f%% (%d labels): test accuracy %.2f%% (%.1f s)", method.rawValue, p, result.budget, 100 * acc, Date().timeIntervalSince(start)))
                if method == .bilaf && p == 1 { map = try SelectionMap.layout(features: data.trainFeatures, result: result, maxPoints: 3000) }
            }
        }
        var results: [String: Any] = ["methods": methods.map(\.rawValue), "budgets_percent": percents,
                                      "budgets": percents.map { Int(Double(n) * $0 / 100) }, "test_accuracy": accuracy,
                                      "pool": n, "test_size": data.testLabels.count]
        if let map {
            results["map"] = ["method": "bilaf", "budget_percent": 1.0, "pool": DemoResults.store(map.pool),
                              "outliers": DemoResults.store(map.outliers), "picks": DemoResults.store(map.picks),
                              "cores": DemoResults.store(map.cores)] as [String: Any]
        }
        ctx.results["select"] = results
    }

    static func section(_ r: DemoResults) throws -> HTMLReport.Section {
        let methods = try r["methods"].strings(), percents = try r["budgets_percent"].doubles(), budgets = try r["budgets"].doubles()
        let n = try r["pool"].int(), testSize = try r["test_size"].int()
        var accuracy: [String: [Double]] = [:]
        for m in methods { accuracy[m] = try r["test_accuracy"][m].doubles() }
        var table: [[String]] = [["method"] + zip(percents, budgets).map { "\($0)% (\(Int($1)))" }]
        for m in methods { table.append([m] + (accuracy[m] ?? []).map(DemoFormat.percent)) }
        var charts = [SVGChart.lines(title: "Test accuracy vs labeling budget (linear probe)", xLabel: "labeled samples (log scale)",
                                     yLabel: "test accuracy", lines: methods.map { .init(label: $0, points: Array(zip(budgets, accuracy[$0] ?? []))) }, logX: true)]
        if r["map"].exists {
            let m = r["map"]
            let layout = SelectionMap.Layout(pool: try m["pool"].points(), outliers: try m["outliers"].points(),
                                             picks: try m["picks"].points(), cores: try m["cores"].points())
            charts.append(SelectionMap.svg(layout, title: "BiLAF at \(DemoFormat.decimal(try m["budget_percent"].double(), 0))%: pool in 2-D (PCA)"))
        }
        let at1 = percents.firstIndex(of: 1) ?? 0
        let best = methods.max { (accuracy[$0]?[at1] ?? 0) < (accuracy[$1]?[at1] ?? 0) } ?? "-"
        return .init(
            id: "select", title: "Select: which samples to label",
            summary: "From a pool of \(n) unlabeled Fashion-MNIST images, each method picks a budget of samples to label; a linear probe on EfficientNet-Lite0 features is trained on those labels only and scored on \(testSize) test images. At a 1% budget the best method here was \(best). BiLAF spends 0.5% of the pool on ActiveFT core samples and the rest on samples near the boundaries between them; the map shows the cores (red) and boundary picks (blue).",
            charts: charts, table: table)
    }
}
