import ArgumentParser
import Foundation
import Kaizen

/// `kaizen finetune`: RobustTune. Fine-tunes a pretrained image model with a new head by one of
/// FT, FTP, L2-SP, LP-FT or TPGM, evaluates on clean and corrupted test images, and writes a
/// classifier checkpoint (weights + class list) after every epoch. Text (MiniLM with a new head,
/// `--text`/`--csv`) works with FT, FTP, L2-SP and LP-FT.
struct FinetuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finetune",
        abstract: "Fine-tune a pretrained image or text model with a new head (ft, ftp, l2sp, lpft, tpgm) and report clean and shifted accuracy.",
        discussion: """
        The checkpoint (--out) is written atomically after every epoch; --resume continues an \
        interrupted run from it. With test data, the report has the clean (ID) accuracy and the \
        accuracy under each corruption of the suite \
        (\(Corruption.allCases.map(\.rawValue).joined(separator: ", "))) and their mean (OOD).

        Examples:
          kaizen finetune --model efficientnet-lite0 --data fashion-mnist:train \\
              --subset 2000 --size 64 --test-data fashion-mnist:test \\
              --test-subset 1000 --method ftp --out ftp.safetensors --json
          kaizen finetune --model efficientnet-lite0 --images x.npy --labels y.txt \\
              --method ft --optimizer adam --out ft.safetensors
          kaizen finetune --model minilm-l6 --text train.txt --labels y.txt \\
              --method ftp --optimizer adam --out text.safetensors

        Text: one example per line (--text) or a CSV/TSV column (--csv with --text-column), labels \
        one per line; methods ft, ftp, l2sp and lpft (tpgm is image-only); no test report (use \
        `kaizen eval --text`).
        """
    )
    @Option(help: "efficientnet-lite0 (ImageNet weights), small-cnn (from scratch), minilm-l6 (text), a .pth with EfficientNet-Lite0 weights, or a classifier checkpoint (.safetensors).") var model: String
    @Option(help: "Training images: float32 .npy [N, 3, H, W], already normalised.") var images: String?
    @Option(help: "Training labels, one per line (with --images, --text or --csv).") var labels: String?
    @Option(help: "Training texts, UTF-8, one example per line (text models).") var text: String?
    @Option(help: "Training texts as a CSV/TSV file with a header (use with --text-column).") var csv: String?
    @Option(help: "Column of --csv holding the text.") var textColumn: String?
    @Option(help: "Text: longest token sequence, [CLS] and [SEP] included; longer texts are truncated.") var maxTokens: Int = 128
    @Option(help: "Built-in training data: fashion-mnist:train.") var data: String?
    @Option(help: "Use a class-stratified subset of this many training images.") var subset: Int?
    @Option(help: "Resize built-in images to this many pixels (default 224; small-cnn 28; a checkpoint: its size).") var size: Int?
    @Option(help: "Test images (.npy) for the report.") var testImages: String?
    @Option(help: "Test labels, one per line (with --test-images).") var testLabels: String?
    @Option(help: "Built-in test data: fashion-mnist:test.") var testData: String?
    @Option(help: "Use a class-stratified subset of this many test images.") var testSubset: Int?
    @Option(help: "Corruptions to evaluate: all, none, or a comma-separated list.") var shifts: String = "all"
    @Option(help: "Corruption severity 1-3.") var severity: Int = 3
    @Option(help: "ft | ftp | l2sp | lpft | tpgm") var method: String = "ftp"
    @Option(help: "sgd | adam") var optimizer: String = "sgd"
    @Option(help: "Peak learning rate (default: 1e-2 for SGD, 1e-4 for Adam, as the FTP paper).") var lr: Float?
    @Option(help: "Epochs (LP-FT: head-only epochs included).") var epochs: Int = 5
    @Option(help: "Images per step.") var batchSize: Int = 32
    @Option(help: "Seed of the head, shuffling and augmentation.") var seed: UInt64 = 0
    @Option(help: "SGD momentum (Nesterov).") var momentum: Float = 0.9
    @Option(help: "Weight decay (coupled for SGD, decoupled for Adam).") var weightDecay: Float = 0
    @Option(help: "FTP: positive-gradient annealing k in [0, 1].") var ftpK: Float = 1
    @Option(help: "L2-SP: strength of the pull toward the pretrained weights.") var l2spAlpha: Float = 0.01
    @Option(help: "LP-FT: head-only epochs.") var probeEpochs: Int = 1
    @Option(help: "TPGM: fraction of training images held out for learning the radii.") var validationFraction: Double = 0.1
    @Flag(help: "No random horizontal flips.") var noFlip = false
    @Option(help: "BatchNorm statistics while training: update (batch statistics, running averages move) or frozen (the pretrained running statistics are used and kept).") var batchNorm: String = "frozen"
    @Option(help: "Checkpoint to write (weights + class list), after every epoch.") var out: String
    @Flag(help: "Continue the interrupted run whose checkpoint is --out.") var resume = false
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard [images, data, text, csv].compactMap({ $0 }).count == 1 else {
            throw ValidationError("give exactly one training input: --images X.npy (with --labels), --data fashion-mnist:train, --text FILE or --csv FILE (with --labels)")
        }
        if images != nil && labels == nil { throw ValidationError("--images needs --labels FILE") }
        if isText {
            if labels == nil { throw ValidationError("\(text != nil ? "--text" : "--csv") needs --labels FILE (one label per line)") }
            if csv != nil && textColumn == nil { throw ValidationError("--csv needs --text-column NAME") }
            if ["efficientnet-lite0", "small-cnn"].contains(model) || model.hasSuffix(".pth") {
                throw ValidationError("--model \(model) is an image model; text fine-tuning takes --model minilm-l6 or a text classifier checkpoint")
            }
            if subset != nil || size != nil { throw ValidationError("--subset and --size are for images; text fine-tuning trains on every given text") }
            if testImages != nil || testData != nil { throw ValidationError("--test-images/--test-data are for image models; evaluate a text checkpoint with `kaizen eval --text`") }
            if let m = FineTuneMethod(rawValue: method), !TextFineTuning.supportedMethods.contains(m) {
                throw ValidationError("--method \(method) is not available for text; use one of \(TextFineTuning.supportedMethods.map(\.rawValue).joined(separator: ", "))")
            }
            guard (2...512).contains(maxTokens) else { throw ValidationError("--max-tokens must be in 2...512, got \(maxTokens)") }
        } else if model == "minilm-l6" {
            throw ValidationError("--model minilm-l6 is a text model; give --text FILE or --csv FILE --text-column C, with --labels FILE")
        }
        if testImages != nil && testData != nil { throw ValidationError("give at most one of --test-images and --test-data") }
        if testImages != nil && testLabels == nil { throw ValidationError("--test-images needs --test-labels FILE") }
        guard FineTuneMethod(rawValue: method) != nil else { throw ValidationError("unknown --method '\(method)'; expected ft, ftp, l2sp, lpft or tpgm") }
        guard BaseOptimizer(rawValue: optimizer) != nil else { throw ValidationError("unknown --optimizer '\(optimizer)'; expected sgd or adam") }
        guard epochs >= 1, batchSize >= 1 else { throw ValidationError("--epochs and --batch-size must be at least 1") }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be positive, got \(lr)") }
        if let size, size < 8 { throw ValidationError("--size must be at least 8, got \(size)") }
        if let subset, subset < 2 { throw ValidationError("--subset must be at least 2, got \(subset)") }
        guard (1...3).contains(severity) else { throw ValidationError("--severity must be 1, 2 or 3, got \(severity)") }
        _ = try corruptionList()
        if method == "lpft" && !(1..<epochs).contains(probeEpochs) {
            throw ValidationError("--probe-epochs must leave at least one full fine-tuning epoch (1...\(max(epochs - 1, 1)) for --epochs \(epochs)), got \(probeEpochs)")
        }
        guard (0.01...0.5).contains(validationFraction) else { throw ValidationError("--validation-fraction must be in 0.01...0.5, got \(validationFraction)") }
        guard ["update", "frozen"].contains(batchNorm) else { throw ValidationError("--batch-norm must be update or frozen, got '\(batchNorm)'") }
        guard (0...1).contains(ftpK) else { throw ValidationError("--ftp-k must be in [0, 1], got \(ftpK)") }
    }

    func corruptionList() throws -> [Corruption] {
        switch shifts {
        case "all": return Corruption.allCases
        case "none": return []
        default:
            return try shifts.split(separator: ",").map {
                guard let c = Corruption(rawValue: $0.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("unknown corruption '\($0)' in --shifts; expected all, none or names from \(Corruption.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return c
            }
        }
    }

    /// Whether the training input is text (--text or --csv).
    var isText: Bool { text != nil || csv != nil }

    func run() throws {
        if isText { return try runText() }
        try common.withThreads {
            let outURL = URL(fileURLWithPath: out)
            if resume && !FileManager.default.fileExists(atPath: out) {
                throw KaizenError.io(file: out, location: nil, reason: "--resume: no checkpoint to continue from; drop --resume to start a new run")
            }
            let (network, defaultSize) = try loadModel()
            let inputSize = size ?? defaultSize
            let train = try LabeledImageInputs.load(images: images, labels: labels, data: data, size: inputSize, subset: subset, seed: seed)
            let (classes, trainLabels) = LabelSet.encode(trainLabels: train.labels)
            try network.replaceHead(classes: classes.count, seed: seed)
            var test: (images: Tensor, labels: [Int])?
            if testImages != nil || testData != nil {
                let t = try LabeledImageInputs.load(images: testImages, labels: testLabels, data: testData, size: inputSize, subset: testSubset, seed: seed,
                                                    imagesOption: "--test-images", labelsOption: "--test-labels")
                test = (t.images, classes.encode(t.labels))
            }
            var c = RobustFineTuneConfiguration()
            c.method = FineTuneMethod(rawValue: method) ?? .ftp
            c.optimizer = BaseOptimizer(rawValue: optimizer) ?? .sgd
            c.training.epochs = epochs
            c.training.batchSize = batchSize
            c.training.learningRate = lr ?? c.optimizer.defaultLearningRate
            c.training.seed = seed
            c.training.horizontalFlip = !noFlip
            c.training.freezeBatchNormStatistics = batchNorm == "frozen"
            c.momentum = momentum
            c.weightDecay = weightDecay
            c.ftp.k = ftpK
            c.l2spAlpha = l2spAlpha
            c.probeEpochs = probeEpochs
            c.tpgmValidationFraction = validationFraction
            common.log("finetune: \(c.method.rawValue) with \(c.optimizer.rawValue), lr \(c.training.learningRate), \(train.count) images of \(inputSize)px in \(classes.count) classes, \(epochs) epochs")
            let bar = common.quiet ? nil : ProgressBar(label: "finetune")
            let plan = ClassifierTrainer.CheckpointPlan(url: outURL, classes: classes.classes, inputSize: inputSize)
            let report = try RobustFineTuning.run(
                model: network, images: train.images, labels: trainLabels, configuration: c, test: test,
                corruptions: try corruptionList(), severity: severity, checkpoint: plan, resumeFrom: resume ? outURL : nil,
                progress: bar.map { b in { _, step, total, _ in b.update(step, total) } })
            try output(report, classes: classes.classes)
        }
    }

    func loadModel() throws -> (any ImageClassifier, Int) {
        if model == "efficientnet-lite0" { return (try EfficientNetLite0.pretrained(), 224) }
        if model == "small-cnn" { return (try SmallCNN(classes: 1, seed: seed), 28) }
        let url = URL(fileURLWithPath: model)
        if url.pathExtension == "pth" { return (try EfficientNetLite0.pretrained(weights: url), 224) }
        let checkpoint = try ClassifierCheckpoint.load(from: url)
        return (checkpoint.model, checkpoint.inputSize)
    }

    func output(_ r: FineTuneReport, classes: [String]) throws {
        var object: [String: Any] = [
            "method": r.method.rawValue, "optimizer": r.optimizer.rawValue, "lr": Double(r.learningRate), "epochs": r.epochs,
            "seconds_per_step": r.secondsPerStep, "classes": classes, "checkpoint": out,
            "history": r.history.map { ["epoch": $0.epoch, "loss": $0.meanLoss, "train_accuracy": $0.trainAccuracy, "seconds": $0.seconds] },
        ]
        if isText {
            object["train_texts"] = r.trainImages
            object["max_tokens"] = maxTokens
        } else {
            object["train_images"] = r.trainImages
            object["validation_images"] = r.validationImages
        }
        if let e = r.evaluation {
            object["id_top1"] = e.inDistribution
            if !e.perShift.isEmpty {
                object["ood"] = e.perShift
                object["ood_mean"] = e.outOfDistributionMean
                object["severity"] = e.severity
            }
        }
        if common.json { try JSONOutput.print(object); return }
        print(String(format: "%@ (%@): %d %@, %.1f ms/step", r.method.rawValue, r.optimizer.rawValue, r.trainImages, isText ? "texts" : "images", 1000 * r.secondsPerStep))
        if let e = r.evaluation {
            print(String(format: "  ID top-1 %.2f%%", 100 * e.inDistribution))
            if !e.perShift.isEmpty {
                print(String(format: "  OOD mean %.2f%% over %d corruptions (severity %d)", 100 * e.outOfDistributionMean, e.perShift.count, e.severity))
            }
            for k in e.perShift.keys.sorted() { print(String(format: "    %-18@ %.2f%%", k as NSString, 100 * (e.perShift[k] ?? 0))) }
        }
        print("  checkpoint: \(out)")
    }
}

extension FinetuneCommand {
    /// Text fine-tuning: MiniLM (or a text checkpoint) with a new head on --text/--csv and --labels.
    func runText() throws {
        try common.withThreads {
            let outURL = URL(fileURLWithPath: out)
            if resume && !FileManager.default.fileExists(atPath: out) {
                throw KaizenError.io(file: out, location: nil, reason: "--resume: no checkpoint to continue from; drop --resume to start a new run")
            }
            let train = try LabeledTextInputs.load(text: text, csv: csv, textColumn: textColumn, labels: labels)
            let (classes, trainLabels) = LabelSet.encode(trainLabels: train.labels)
            let network: TextClassifier
            if model == "minilm-l6" {
                network = try TextClassifier.pretrainedMiniLM(classes: classes.count, maxTokens: maxTokens, seed: seed)
            } else {
                let loaded = try TextClassifierCheckpoint.load(from: URL(fileURLWithPath: model), extraTensors: false).model
                network = try TextClassifier(encoder: loaded.encoder, tokenizer: loaded.tokenizer, classes: classes.count, maxTokens: maxTokens, seed: seed)
            }
            var c = RobustFineTuneConfiguration()
            c.method = FineTuneMethod(rawValue: method) ?? .ftp
            c.optimizer = BaseOptimizer(rawValue: optimizer) ?? .sgd
            c.training.epochs = epochs
            c.training.batchSize = batchSize
            c.training.learningRate = lr ?? c.optimizer.defaultLearningRate
            c.training.seed = seed
            c.training.horizontalFlip = false
            c.training.freezeBatchNormStatistics = false
            c.momentum = momentum
            c.weightDecay = weightDecay
            c.ftp.k = ftpK
            c.l2spAlpha = l2spAlpha
            c.probeEpochs = probeEpochs
            common.log("finetune: \(c.method.rawValue) with \(c.optimizer.rawValue), lr \(c.training.learningRate), \(train.texts.count) texts (at most \(maxTokens) tokens) in \(classes.count) classes, \(epochs) epochs")
            let bar = common.quiet ? nil : ProgressBar(label: "finetune")
            let plan = TextClassifierTrainer.Plan(url: outURL, classes: classes.classes)
            let report = try TextFineTuning.run(
                model: network, texts: train.texts, labels: trainLabels, configuration: c, checkpoint: plan,
                resumeFrom: resume ? outURL : nil, progress: bar.map { b in { _, step, total, _ in b.update(step, total) } })
            try output(report, classes: classes.classes)
        }
    }
}
