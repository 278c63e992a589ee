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
    @Option(help: "Images: float32 .npy [N, 3, H, W], already normalised.") var images: String?
    @Option(help: "Built-in data: fashion-mnist:train or fashion-mnist:test.") var data: String?
    @Option(help: "Texts, UTF-8, one example per line (text classifier checkpoints).") var text: String?
    @Option(help: "Texts as a CSV/TSV file with a header (use with --text-column).") var csv: String?
    @Option(help: "Column of --csv holding the text.") var textColumn: String?
    @Option(help: "Labels, one per line (optional with --data).") var labels: String?
    @Option(help: "Resize built-in images to this many pixels (default: the checkpoint's input size).") var size: Int?
    @Option(help: "Corrupt the images first: one of \(Corruption.allCases.map(\.rawValue).joined(separator: ", ")).") var corruption: String?
    @Option(help: "Corruption severity 1-3.") var severity: Int = 3
    @Option(help: "Images or texts per batch.") var batchSize: Int = 128
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard [images, data, text, csv].compactMap({ $0 }).count == 1 else {
            throw ValidationError("give exactly one input: --images X.npy (with --labels), --data, --text FILE or --csv FILE (with --labels)")
        }
        if images != nil && labels == nil { throw ValidationError("--images needs --labels FILE") }
        if (text != nil || csv != nil) && labels == nil { throw ValidationError("\(text != nil ? "--text" : "--csv") needs --labels FILE") }
        if csv != nil && textColumn == nil { throw ValidationError("--csv needs --text-column NAME") }
        if let size, size < 8 { throw ValidationError("--size must be at least 8, got \(size)") }
        if let corruption, Corruption(rawValue: corruption) == nil {
            throw ValidationError("unknown --corruption '\(corruption)'; expected one of \(Corruption.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard (1...3).contains(severity) else { throw ValidationError("--severity must be 1, 2 or 3, got \(severity)") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
    }

    func run() throws {
        if text != nil || csv != nil { return try runText() }
        try common.withThreads {
            let checkpoint = try ClassifierCheckpoint.load(from: URL(fileURLWithPath: model))
            let input = try LabeledImageInputs.load(images: images, labels: labels, data: data, size: size ?? checkpoint.inputSize)
            var x = input.images
            if let corruption, let kind = Corruption(rawValue: corruption) {
                x = try kind.applyNormalised(x, severity: severity, seed: 0)
            }
            let classes = try LabelSet(classes: checkpoint.classes)
            let truth = classes.encode(input.labels)
            let predicted = try ClassifierInference.predictions(checkpoint.model, images: x, batchSize: batchSize)
            try output(ClassificationMetrics(predictions: predicted, labels: truth, classCount: checkpoint.classes.count), classes: checkpoint.classes, unit: "images")
        }
    }

    /// A text classifier checkpoint on --text/--csv with --labels.
    func runText() throws {
        try common.withThreads {
            let checkpoint = try TextClassifierCheckpoint.load(from: URL(fileURLWithPath: model), extraTensors: false)
            let input = try LabeledTextInputs.load(text: text, csv: csv, textColumn: textColumn, labels: labels)
            let truth = try LabelSet(classes: checkpoint.classes).encode(input.labels)
            let predicted = try checkpoint.model.predictions(input.texts, batchSize: batchSize)
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
