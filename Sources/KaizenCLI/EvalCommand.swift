import ArgumentParser
import Foundation
import Kaizen

/// `kaizen eval`: accuracy of a fine-tuned classifier checkpoint on labelled images or texts.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Top-1, mean-per-class and per-class accuracy of a classifier checkpoint (from finetune or debias).",
        discussion: """
        Labels are compared as strings with the checkpoint's class list; a label the model does not \
        know counts as an error. Built-in data is prepared at the checkpoint's input size unless \
        --size is given.

        Examples:
          kaizen eval --model ft.safetensors --data fashion-mnist:test --json
          kaizen eval --model ft.safetensors --images x.npy --labels y.txt --json
          kaizen eval --model text.safetensors --text test.txt --labels y.txt --json
        """
    )
    @Option(help: "Classifier checkpoint written by `kaizen finetune` or `kaizen debias`.") var model: String
    @OptionGroup var input: LabeledInputOptions
    @Option(help: "Resize built-in images to this many pixels (default: the checkpoint's input size).") var size: Int?
    @Option(help: "Corrupt the images first: one of \(Corruption.allCases.map(\.rawValue).joined(separator: ", ")).") var corruption: String?
    @Option(help: "Corruption severity 1-3.") var severity: Int = 3
    @Option(help: "Images or texts per batch.") var batchSize: Int = 128
    @OptionGroup var common: CommonOptions

    func validate() throws {
        try input.check()
        if let size, size < 8 { throw ValidationError("--size must be at least 8, got \(size)") }
        if let corruption, Corruption(rawValue: corruption) == nil {
            throw ValidationError("unknown --corruption '\(corruption)'; expected one of \(Corruption.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard (1...3).contains(severity) else { throw ValidationError("--severity must be 1, 2 or 3, got \(severity)") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
    }

    func run() throws {
        if input.isText { return try runText() }
        try common.withThreads {
            let checkpoint = try ClassifierCheckpoint.load(from: URL(fileURLWithPath: model))
            let inputs = try LabeledImageInputs.load(images: input.images, labels: input.labels, data: input.data, size: size ?? checkpoint.inputSize)
            var x = inputs.images
            if let corruption, let kind = Corruption(rawValue: corruption) {
                x = try kind.applyNormalised(x, severity: severity, seed: 0)
            }
            let classes = try LabelSet(classes: checkpoint.classes)
            let truth = classes.encode(inputs.labels)
            let predicted = try ClassifierInference.predictions(checkpoint.model, images: x, batchSize: batchSize)
            try output(ClassificationMetrics(predictions: predicted, labels: truth, classCount: checkpoint.classes.count), classes: checkpoint.classes, unit: "images")
        }
    }

    /// A text classifier checkpoint on --text/--csv with --labels.
    func runText() throws {
        try common.withThreads {
            let checkpoint = try TextClassifierCheckpoint.load(from: URL(fileURLWithPath: model), extraTensors: false)
            let texts = try LabeledTextInputs.load(text: input.text, csv: input.csv, textColumn: input.textColumn, labels: input.labels)
            let truth = try LabelSet(classes: checkpoint.classes).encode(texts.labels)
            let predicted = try checkpoint.model.predictions(texts.texts, batchSize: batchSize)
            try output(ClassificationMetrics(predictions: predicted, labels: truth, classCount: checkpoint.classes.count), classes: checkpoint.classes, unit: "texts")
        }
    }

    /// Top-1, mean-per-class and per-class accuracy (labels the model does not know count as errors;
    /// classes absent from the labels are left out).
    func output(_ m: ClassificationMetrics, classes: [String], unit: String) throws {
        let perClass = zip(classes, m.perClassRecall).compactMap { name, recall in recall.map { (name, $0) } }
        if common.json {
            try JSONOutput.print(["top1": m.accuracy, "mean_per_class": m.meanPerClassAccuracy,
                                  "per_class": Dictionary(uniqueKeysWithValues: perClass), "classes": classes])
        } else {
            print(String(format: "%d %@: top-1 %.2f%%  mean per class %.2f%%", m.total, unit, 100 * m.accuracy, 100 * m.meanPerClassAccuracy))
            for (name, acc) in perClass { print(String(format: "  %-24@ %.2f%%", name as NSString, 100 * acc)) }
        }
    }
}
