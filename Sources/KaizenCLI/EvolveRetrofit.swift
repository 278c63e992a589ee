import ArgumentParser
import Foundation
import Kaizen

/// Options of `kaizen evolve --model CKPT`: retrofitting a trained classifier for a metric on a
/// small labelled validation set (AfterLearnER), scored on held-out data beside it.
struct RetrofitOptions: ParsableArguments {
    /// What `--target` can search.
    enum Target: String, CaseIterable {
        case logitOffsets = "logit-offsets"
        case batchNormMix = "batchnorm-mix"
    }

    @Option(help: "Classifier checkpoint to retrofit (from finetune, debias or an earlier evolve).") var model: String?
    @Option(help: "What to search: logit-offsets (one per class) or batchnorm-mix (source vs validation-domain BatchNorm statistics; image models).")
    var target: String = Target.logitOffsets.rawValue
    @Option(help: "Metric to maximise: \(MetricName.allCases.map(\.rawValue).joined(separator: "|")).") var metric: String = MetricName.accuracy.rawValue
    @OptionGroup var input: LabeledInputOptions
    @Option(help: "Held-out images (.npy) to report on (with --test-labels).") var testImages: String?
    @Option(help: "Built-in held-out data.") var testData: String?
    @Option(help: "Held-out texts, one per line.") var testText: String?
    @Option(help: "Held-out texts as CSV/TSV.") var testCsv: String?
    @Option(help: "Held-out labels, one per line.") var testLabels: String?
    @Option(help: "Corrupt validation and held-out images (the shifted domain): \(Corruption.allCases.map(\.rawValue).joined(separator: ", ")).") var corruption: String?
    @Option(help: "Corruption severity 1-3.") var severity: Int = 3
    @Option(help: "batchnorm-mix: one weight for all layers (global) or one per layer (per-layer).") var sharing: String = "global"
    @Option(help: "Images or texts per forward pass.") var batchSize: Int = 100
    @Option(help: "Write the retrofitted checkpoint here.") var out: String?

    var isText: Bool { input.isText }

    func check() throws {
        guard model != nil else { return }
        guard let t = Target(rawValue: target) else {
            throw ValidationError("unknown --target '\(target)'; expected one of \(Target.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard MetricName(rawValue: metric) != nil else {
            throw ValidationError("unknown --metric '\(metric)'; expected one of \(MetricName.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try input.check()
        if [testImages, testData, testText, testCsv].compactMap({ $0 }).count > 1 { throw ValidationError("give at most one held-out input") }
        if (testImages != nil || testText != nil || testCsv != nil) && testLabels == nil { throw ValidationError("the held-out input needs --test-labels FILE") }
        if isText && (testImages != nil || testData != nil) { throw ValidationError("a text model needs held-out texts (--test-text or --test-csv)") }
        if !isText && (testText != nil || testCsv != nil) { throw ValidationError("an image model needs held-out images (--test-images or --test-data)") }
        if testCsv != nil && input.textColumn == nil { throw ValidationError("--test-csv needs --text-column NAME") }
        if isText && t == .batchNormMix { throw ValidationError("--target batchnorm-mix needs an image model (MiniLM has no BatchNorm)") }
        if isText && corruption != nil { throw ValidationError("--corruption applies to images only") }
        if let corruption, Corruption(rawValue: corruption) == nil {
            throw ValidationError("unknown --corruption '\(corruption)'; expected one of \(Corruption.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard (1...3).contains(severity) else { throw ValidationError("--severity must be 1, 2 or 3, got \(severity)") }
        guard ["global", "per-layer"].contains(sharing) else { throw ValidationError("--sharing must be global or per-layer, got '\(sharing)'") }
        guard batchSize >= 2 else { throw ValidationError("--batch-size must be at least 2, got \(batchSize)") }
    }

    /// Validation and held-out row indices: the first `validationSize` of a seeded permutation of the
    /// validation input; without a held-out input the remaining rows are held out (half by default).
    static func split(count n: Int, validationSize: Int?, heldOutGiven: Bool, seed: UInt64) throws -> (validation: [Int], test: [Int]) {
        var rng = RandomGenerator(seed: seed &+ 0x5EED)
        let order = rng.permutation(n)
        let nVal = validationSize ?? (heldOutGiven ? n : n / 2)
        guard nVal >= 2, nVal <= n else {
            throw KaizenError.invalidArgument(name: "--validation-size", detail: "\(nVal) validation examples asked from \(n); need 2...\(n)")
        }
        guard heldOutGiven || nVal < n else {
            throw KaizenError.invalidArgument(name: "--validation-size", detail: "leaves no held-out examples of \(n); give a smaller size or --test-* inputs")
        }
        return (Array(order.prefix(nVal)), heldOutGiven ? [] : Array(order.dropFirst(nVal)))
    }
}

extension EvolveCommand {
    /// Retrofits `--model` on the validation input and reports validation and held-out scores.
    func runRetrofit() async throws {
        guard let modelPath = retrofit.model else { return }
        let config = (target: RetrofitOptions.Target(rawValue: retrofit.target) ?? .logitOffsets,
                      metric: MetricName(rawValue: retrofit.metric) ?? .accuracy)
        let progress = progressHandler()
        let report: RetrofitReport
        if retrofit.isText {
            var checkpoint = try TextClassifierCheckpoint.load(from: URL(fileURLWithPath: modelPath), extraTensors: true)
            let classes = try LabelSet(classes: checkpoint.classes)
            let v = try LabeledTextInputs.load(text: retrofit.input.text, csv: retrofit.input.csv, textColumn: retrofit.input.textColumn, labels: retrofit.input.labels)
            let heldOut = retrofit.testText != nil || retrofit.testCsv != nil
            let (valRows, testRows) = try RetrofitOptions.split(count: v.texts.count, validationSize: validationSize, heldOutGiven: heldOut, seed: seed)
            let t = heldOut ? try LabeledTextInputs.load(text: retrofit.testText, csv: retrofit.testCsv, textColumn: retrofit.input.textColumn, labels: retrofit.testLabels) : nil
            let valTexts = valRows.map { v.texts[$0] }, valLabels = classes.encode(valRows.map { v.labels[$0] })
            let testTexts = t?.texts ?? testRows.map { v.texts[$0] }
            let testLabels = classes.encode(t?.labels ?? testRows.map { v.labels[$0] })
            common.log("retrofit \(config.target.rawValue) of \(modelPath) for \(config.metric.rawValue): \(valTexts.count) validation, \(testTexts.count) held-out texts")
            let valLogits = try checkpoint.model.inferenceLogits(valTexts, batchSize: retrofit.batchSize)
            let testLogits = try checkpoint.model.inferenceLogits(testTexts, batchSize: retrofit.batchSize)
            report = try await offsets(valLogits, valLabels, testLogits, testLabels, metric: config.metric, progress: progress)
            if let out = retrofit.out {
                try LogitOffsetRetrofit.fold(report.offsets, into: checkpoint.model.head)
                checkpoint.metadata["kaizen.retrofit"] = report.target
                try checkpoint.save(to: URL(fileURLWithPath: out))
            }
        } else {
            var checkpoint = try ClassifierCheckpoint.load(from: URL(fileURLWithPath: modelPath))
            let classes = try LabelSet(classes: checkpoint.classes)
            let v = try LabeledImageInputs.load(images: retrofit.input.images, labels: retrofit.input.labels, data: retrofit.input.data, size: checkpoint.inputSize)
            let heldOut = retrofit.testImages != nil || retrofit.testData != nil
            let (valRows, testRows) = try RetrofitOptions.split(count: v.count, validationSize: validationSize, heldOutGiven: heldOut, seed: seed)
            let t = heldOut ? try LabeledImageInputs.load(images: retrofit.testImages, labels: retrofit.testLabels, data: retrofit.testData,
                                                           size: checkpoint.inputSize, imagesOption: "--test-images", labelsOption: "--test-labels") : nil
            var xVal = try v.images.indexSelect(axis: 0, indices: valRows)
            var xTest = try t?.images ?? v.images.indexSelect(axis: 0, indices: testRows)
            let valLabels = classes.encode(valRows.map { v.labels[$0] })
            let testLabels = classes.encode(t?.labels ?? testRows.map { v.labels[$0] })
            guard xVal.shape[2] == xTest.shape[2], xVal.shape[3] == xTest.shape[3] else {
                throw KaizenError.shapeMismatch(op: "--test-images", detail: "held-out images are \(xTest.shape[2])x\(xTest.shape[3]), validation images \(xVal.shape[2])x\(xVal.shape[3])")
            }
            if let name = retrofit.corruption, let kind = Corruption(rawValue: name) {
                xVal = try kind.applyNormalised(xVal, severity: retrofit.severity, seed: seed)
                xTest = try kind.applyNormalised(xTest, severity: retrofit.severity, seed: seed &+ 1)
            }
            common.log("retrofit \(config.target.rawValue) of \(modelPath) for \(config.metric.rawValue): \(valLabels.count) validation, \(testLabels.count) held-out images\(retrofit.corruption.map { " (\($0), severity \(retrofit.severity))" } ?? "")")
            let model = checkpoint.model
            model.eval()
            switch config.target {
            case .logitOffsets:
                let valLogits = try ClassifierInference.logits(model, images: xVal, batchSize: retrofit.batchSize)
                let testLogits = try ClassifierInference.logits(model, images: xTest, batchSize: retrofit.batchSize)
                report = try await offsets(valLogits, valLabels, testLogits, testLabels, metric: config.metric, progress: progress)
                if retrofit.out != nil { try LogitOffsetRetrofit.fold(report.offsets, into: model) }
            case .batchNormMix:
                var c = BatchNormRetrofit.Configuration()
                c.metric = config.metric
                c.optimizer = optimizer.flatMap(OptimizerKind.init(rawValue:)) ?? .onePlusOne
                c.budget = budget
                c.seed = seed
                c.sharing = retrofit.sharing == "per-layer" ? .perLayer : .global
                c.batchSize = retrofit.batchSize
                report = try await BatchNormRetrofit(configuration: c).run(
                    model: model, validationImages: xVal, validationLabels: valLabels, testImages: xTest, testLabels: testLabels, progress: progress)
            }
            if let out = retrofit.out {
                checkpoint.metadata["kaizen.retrofit"] = report.target
                try checkpoint.save(to: URL(fileURLWithPath: out))
            }
        }
        try writeChart(report.bestSoFar, yLabel: "best validation \(report.metric.rawValue)")
        try output(report)
    }

    private func offsets(_ val: Tensor, _ yVal: [Int], _ test: Tensor, _ yTest: [Int], metric: MetricName,
                         progress: (@Sendable (EvolveProgress) -> Void)?) async throws -> RetrofitReport {
        var c = LogitOffsetRetrofit.Configuration()
        c.metric = metric
        c.optimizer = optimizer.flatMap(OptimizerKind.init(rawValue:)) ?? .onePlusOne
        c.budget = budget
        c.seed = seed
        return try await LogitOffsetRetrofit(configuration: c).run(validationLogits: val, validationLabels: yVal, testLogits: test, testLabels: yTest, progress: progress)
    }

    private func output(_ r: RetrofitReport) throws {
        if common.json {
            var object: [String: Any] = [
                "target": r.target, "metric": r.metric.rawValue, "optimizer": r.optimizer, "evaluations": r.evaluations,
                "best_value": r.validationAfter,
                "validation": ["size": r.validationSize, "before": r.validationBefore, "after": r.validationAfter],
                "test": ["size": r.testSize, "before": r.testBefore, "after": r.testAfter],
                "overfitting_bound": r.overfittingBound, "recommendation": r.recommendation, "history": r.bestSoFar,
                "baselines": r.baselines.mapValues { ["validation": $0[0], "test": $0[1]] },
            ]
            if let out = retrofit.out { object["out"] = out }
            try JSONOutput.print(object)
            return
        }
        func row(_ name: String, _ a: String, _ b: String) {
            print("  " + name.padding(toLength: 24, withPad: " ", startingAt: 0) + String(repeating: " ", count: max(0, 11 - a.count)) + a
                  + String(repeating: " ", count: max(0, 11 - b.count)) + b)
        }
        let f = { (v: Double) in String(format: "%.4f", v) }
        print("\(r.target) for \(r.metric.rawValue) (\(r.optimizer), \(r.evaluations) evaluations)")
        row("", "validation", "held-out")
        row("examples", "\(r.validationSize)", "\(r.testSize)")
        row("before", f(r.validationBefore), f(r.testBefore))
        row("after (AfterLearnER)", f(r.validationAfter), f(r.testAfter))
        for (name, v) in r.baselines.sorted(by: { $0.key < $1.key }) { row(name, f(v[0]), f(v[1])) }
        print("  overfitting bound \(f(r.overfittingBound)): a validation gain below it can be luck; the held-out column is the result")
        if let out = retrofit.out { print("  wrote \(out)") }
    }
}
