import Foundation
import Kaizen

/// Demo of RobustTune: EfficientNet-Lite0 (ImageNet weights) fine-tuned on a Fashion-MNIST subset
/// by plain fine-tuning and by FTP, then tested on clean images and on every corruption of the suite.
enum RobustTuneStage {
    static func run(_ ctx: DemoContext) throws {
        let trainCount = ctx.quick ? 300 : 1000, testCount = ctx.quick ? 300 : 1000
        let size = 32, epochs = ctx.quick ? 1 : 3
        let train = try FashionMNIST.load(split: .train, subset: .stratified(trainCount, seed: ctx.seed))
        let test = try FashionMNIST.load(split: .test, subset: .stratified(testCount, seed: ctx.seed))
        let xtr = try ImagePreparation.prepare(grey: train.images, size: size)
        let xte = try ImagePreparation.prepare(grey: test.images, size: size)
        let methods = [FineTuneMethod.ft, .ftp]
        var results: [String: Any] = ["train_images": trainCount, "test_images": testCount, "size": size, "epochs": epochs,
                                      "methods": methods.map(\.rawValue), "shifts": Corruption.allCases.map(\.rawValue)]
        for method in methods {
            let model = try EfficientNetLite0.pretrained()
            try model.replaceHead(classes: 10, seed: ctx.seed)
            var c = RobustFineTuneConfiguration()
            c.method = method
            c.training.epochs = epochs
            c.training.batchSize = 32
            c.training.learningRate = learningRate(method)
            c.training.seed = ctx.seed
            let bar = ctx.common.quiet ? nil : ProgressBar(label: "robusttune \(method.rawValue)")
            let report = try RobustFineTuning.run(
                model: model, images: xtr, labels: train.labels, configuration: c, test: (xte, test.labels),
                progress: bar.map { b in { _, step, total, _ in b.update(step, total) } })
            guard let e = report.evaluation else { continue }
            ctx.log(String(format: "robusttune %@: ID %.3f, OOD mean %.3f, %.0f ms/step", method.rawValue, e.inDistribution, e.outOfDistributionMean, 1000 * report.secondsPerStep))
            var entry = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any] ?? [:]
            entry["ood_mean"] = e.outOfDistributionMean
            results[method.rawValue] = entry
        }
        ctx.results["robusttune"] = results
    }

    /// Each method at its best learning rate of the sweep in BENCHMARKS.md (RobustTune). At FTP's
    /// 0.01, plain fine-tuning is on the edge of divergence: its accuracy moved between 31% and 74%
    /// with the rounding of different (correct) BLAS kernels.
    static func learningRate(_ method: FineTuneMethod) -> Float {
        method == .ftp ? 1e-2 : 3e-3
    }

    static func section(_ r: DemoResults) throws -> HTMLReport.Section {
        let methods = try r["methods"].strings(), shifts = try r["shifts"].strings()
        let trainCount = try r["train_images"].int(), testCount = try r["test_images"].int()
        let size = try r["size"].int(), epochs = try r["epochs"].int()
        var rows: [[String]] = [["method", "ID top-1", "OOD mean", "ms / step"]]
        var series: [(label: String, values: [Double])] = []
        for m in methods {
            let e = r[m]["evaluation"]
            let perShift = try shifts.map { try e["perShift"][$0].double() }
            let id = try e["inDistribution"].double()
            rows.append([m.uppercased(), DemoFormat.percent(id), DemoFormat.percent(try r[m]["ood_mean"].double()),
                         String(format: "%.0f", 1000 * (try r[m]["secondsPerStep"].double()))])
            series.append((m.uppercased(), [id] + perShift))
        }
        let chart = SVGChart.bars(title: "Accuracy per corruption (severity 3)", yLabel: "top-1", categories: ["clean"] + shifts, series: series)
        return .init(
            id: "robusttune", title: "RobustTune: fine-tune without losing robustness",
            summary: "EfficientNet-Lite0 with ImageNet weights gets a new 10-class head and is fine-tuned on \(trainCount) Fashion-MNIST images (\(size) px, \(epochs) epoch\(epochs == 1 ? "" : "s"), SGD with Nesterov momentum and a cosine schedule, each method at its best learning rate of a 3-point sweep: FT 0.003, FTP 0.01) by plain fine-tuning (FT) and by FTP, which keeps every pretrained tensor within a learned per-row L1 radius of its starting point. Both are tested on \(testCount) clean test images and on the same images under \(shifts.count) corruptions (noise, blur, contrast, rotation, ...). Averages over 3 seeds and the other baselines (L2-SP, LP-FT, TPGM) are in BENCHMARKS.md.",
            charts: [chart], table: rows)
    }
}
