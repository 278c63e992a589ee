import ArgumentParser
import Foundation
import Kaizen

/// `kaizen debias`: removes a known shortcut from a classifier checkpoint with a handful of
/// counter-examples (change-penalised tuning, or a baseline), writes the tuned checkpoint and reports
/// unbiased, worst-group, bias-aligned and bias-conflicting accuracy before and after.
struct DebiasCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debias",
        abstract: "Remove a shortcut with a few counter-examples: change-penalty (default), ft, side-tuning, mas or dfr.",
        discussion: """
        The tuning images are the counter-examples (images that contradict the shortcut) with their \
        labels. Tuning stops once every tuning image is classified correctly, plus --epsilon steps \
        (at most --max-steps). Group accuracies need evaluation images with their bias attribute \
        (--eval-bias, one value per line); an image is bias-aligned when its bias value equals its \
        label (e.g. colour id = class id).

        Examples:
          kaizen debias --model base.safetensors --tune-images k16.npy \\
              --tune-labels k16.txt --eval-images test.npy --eval-labels test.txt \\
              --eval-bias test_colour.txt --out debiased.safetensors --json
          kaizen debias --model base.safetensors --tune-images k16.npy \\
              --tune-labels k16.txt --method ft --out ft.safetensors
        """
    )
    @Option(help: "Classifier checkpoint (from `kaizen finetune`).") var model: String
    @Option(help: "Counter-example images: float32 .npy [K, 3, H, W], normalised like the model's inputs.") var tuneImages: String
    @Option(help: "Their labels, one per line.") var tuneLabels: String
    @Option(help: "change-penalty | ft | side-tuning | mas | dfr") var method: String = "change-penalty"
    @Option(help: "Change penalty: weight of the L1 norm of the change.") var lambda1: Float = 1e-3
    @Option(help: "Change penalty: weight of the squared L2 norm of the change.") var lambda2: Float = 0
    @Option(help: "Steps after the first all-correct step before stopping.") var epsilon: Int = 10
    @Flag(help: "ft: no early stop (take --max-steps updates).") var noEarlyStop = false
    @Option(help: "Step cap.") var maxSteps: Int = 500
    @Option(help: "sgd | adam") var optimizer: String = "adam"
    @Option(help: "Learning rate (default 1e-4 for Adam, 1e-3 for SGD).") var lr: Float?
    @Option(help: "side-tuning: weight of the frozen base's logits.") var alpha: Float = 0.5
    @Option(help: "mas: strength of the importance-weighted penalty.") var masLambda: Float = 1
    @Option(help: "mas: unlabeled images (.npy) for the importances (default: the tuning images).") var unlabeledImages: String?
    @Option(help: "Evaluation images (.npy) for the before/after report.") var evalImages: String?
    @Option(help: "Their labels.") var evalLabels: String?
    @Option(help: "Their bias attribute, one value per line (aligned when equal to the label).") var evalBias: String?
    @Option(help: "Change penalty: also write the learned change (dense, non-zero tensors) to this .safetensors.") var deltaOut: String?
    @Option(help: "Seed of the minibatch order (tuning sets larger than 128).") var seed: UInt64 = 0
    @Option(help: "Tuned checkpoint to write.") var out: String
    @OptionGroup var common: CommonOptions

    static let methods = ["change-penalty", "ft", "side-tuning", "mas", "dfr"]

    func validate() throws {
        guard Self.methods.contains(method) else { throw ValidationError("unknown --method '\(method)'; expected \(Self.methods.joined(separator: ", "))") }
        guard ["sgd", "adam"].contains(optimizer) else { throw ValidationError("unknown --optimizer '\(optimizer)'; expected sgd or adam") }
        guard lambda1 >= 0, lambda2 >= 0, lambda1.isFinite, lambda2.isFinite else { throw ValidationError("--lambda1 and --lambda2 must be finite and >= 0") }
        guard epsilon >= 0 else { throw ValidationError("--epsilon must be >= 0, got \(epsilon)") }
        guard maxSteps >= 1 else { throw ValidationError("--max-steps must be at least 1, got \(maxSteps)") }
        guard (0...1).contains(alpha) else { throw ValidationError("--alpha must be in [0, 1], got \(alpha)") }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be positive, got \(lr)") }
        let evalGiven = [evalImages, evalLabels, evalBias].filter { $0 != nil }.count
        guard evalGiven == 0 || evalGiven == 3 else { throw ValidationError("give --eval-images, --eval-labels and --eval-bias together") }
        if deltaOut != nil && method != "change-penalty" { throw ValidationError("--delta-out is only for --method change-penalty") }
    }

    func run() throws {
        try common.withThreads {
            let checkpoint = try ClassifierCheckpoint.load(from: URL(fileURLWithPath: model))
            let classes = try LabelSet(classes: checkpoint.classes)
            let tune = try LabeledImageInputs.load(images: tuneImages, labels: tuneLabels, data: nil, size: checkpoint.inputSize,
                                                   imagesOption: "--tune-images", labelsOption: "--tune-labels")
            let tuneLabelIDs = classes.encode(tune.labels)
            if let unknown = tune.labels.first(where: { classes.index(of: $0) == nil }) {
                throw KaizenError.invalidArgument(name: "--tune-labels", detail: "label '\(unknown)' in \(tuneLabels) is not one of the model's classes (\(checkpoint.classes.joined(separator: ", ")))")
            }
            let evaluation = try evaluationSet(classes: classes, size: checkpoint.inputSize)
            let before = try evaluation.map { try groups(checkpoint.model, $0) }
            let outcome = try tuneOpened(checkpoint.model, images: tune.images, labels: tuneLabelIDs)
            let after = try evaluation.map { try groups(outcome.model, $0) }
            var meta = checkpoint.metadata
            meta["debias_method"] = method
            meta["debias_tuning_images"] = String(tune.count)
            try ClassifierCheckpoint(model: outcome.model, classes: checkpoint.classes, inputSize: checkpoint.inputSize, metadata: meta)
                .save(to: URL(fileURLWithPath: out))
            if let deltaOut, let change = outcome.change {
                let nonzero = change.entries.filter { entry in entry.value.scalars.contains { $0 != 0 } }
                try SafeTensors.write(tensors: nonzero.map { ($0.name, $0.value) },
                                      metadata: ["kaizen.base": model, "kaizen.nonzero": String(change.nonzeroCount())],
                                      to: URL(fileURLWithPath: deltaOut))
            }
            try output(record: outcome.record, change: outcome.change, before: before, after: after, tuneCount: tune.count)
        }
    }

    struct Outcome {
        let model: any ImageClassifier
        let record: DebiasRunRecord
        let change: ParameterChange?
    }

    /// Opens the checkpoint's model type so the generic tuners get a concrete architecture.
    func tuneOpened<M: ImageClassifier>(_ base: M, images: Tensor, labels: [Int]) throws -> Outcome {
        let architecture = base.architectureName, classCount = base.classCount
        let make: () throws -> M = {
            guard let m = try ClassifierCheckpoint.makeModel(architecture: architecture, classes: classCount) as? M else {
                throw KaizenError.invalidArgument(name: "--model", detail: "\(architecture) checkpoints cannot be debiased (side-tuned blends included); use the base checkpoint")
            }
            return m
        }
        var schedule = TuningSchedule(maxSteps: maxSteps, earlyStopDelay: epsilon, seed: seed)
        if method == "ft" && noEarlyStop { schedule.earlyStopDelay = nil }
        let tuningOptimizer: TuningOptimizer = optimizer == "sgd"
            ? .sgd(learningRate: lr ?? 1e-3, momentum: 0.9) : .adam(learningRate: lr ?? 1e-4)
        let debiasMethod: DebiasMethod
        switch method {
        case "ft": debiasMethod = .fineTuning(FineTuningConfiguration(optimizer: tuningOptimizer, schedule: schedule))
        case "side-tuning": debiasMethod = .sideTuning(SideTuningConfiguration(alpha: .fixed(alpha), optimizer: tuningOptimizer, schedule: schedule))
        case "mas":
            let unlabeled = try unlabeledImages.map { path -> Tensor in
                let x = try NPY.read(URL(fileURLWithPath: path)).floatTensor()
                guard x.rank == 4, x.shape[0] > 0 else {
                    throw KaizenError.shapeMismatch(op: "--unlabeled-images", detail: "\(path) must hold float32 [N, 3, H, W], got \(Shape.describe(x.shape))")
                }
                return x
            } ?? images
            debiasMethod = .memoryAwareSynapses(MASConfiguration(strength: masLambda, importanceBatchSize: 16,
                                                                 fineTuning: FineTuningConfiguration(optimizer: tuningOptimizer, schedule: schedule)),
                                                importances: .images(unlabeled))
        case "dfr": debiasMethod = .lastLayerRefit(LastLayerRefitConfiguration(seed: seed))
        default:
            debiasMethod = .changePenalty(ChangePenaltyConfiguration(l1Strength: lambda1, l2Strength: lambda2, optimizer: tuningOptimizer, schedule: schedule))
        }
        let outcome = try Debias.tune(model: base, copy: make, method: debiasMethod, tuneImages: images, tuneLabels: labels)
        if let blended = outcome.model as? SideTunedModel<M> {
            return Outcome(model: try LogitBlendClassifier(base: blended.base, side: blended.side, alpha: blended.alpha), record: outcome.record, change: nil)
        }
        guard let tuned = outcome.model as? any ImageClassifier else {
            throw KaizenError.invalidArgument(name: "--method", detail: "\(method) returned a model that cannot be saved as a classifier checkpoint")
        }
        return Outcome(model: tuned, record: outcome.record, change: outcome.change)
    }

    typealias EvaluationSet = (images: Tensor, labels: [Int], bias: [Int])

    func evaluationSet(classes: LabelSet, size: Int) throws -> EvaluationSet? {
        guard let evalImages, let evalLabels, let evalBias else { return nil }
        let data = try LabeledImageInputs.load(images: evalImages, labels: evalLabels, data: nil, size: size,
                                               imagesOption: "--eval-images", labelsOption: "--eval-labels")
        let biasValues = try LabelFile.read(URL(fileURLWithPath: evalBias))
        guard biasValues.count == data.count else {
            throw KaizenError.shapeMismatch(op: "--eval-bias", detail: "\(evalBias) has \(biasValues.count) values for \(data.count) images in \(evalImages)")
        }
        // A bias value that names a class gets that class's id (so aligned = same id); others get fresh ids.
        var extra: [String: Int] = [:]
        let bias = biasValues.map { v -> Int in
            if let c = classes.index(of: v) { return c }
            if let id = extra[v] { return id }
            let id = classes.count + extra.count
            extra[v] = id
            return id
        }
        return (data.images, classes.encode(data.labels), bias)
    }

    func groups(_ model: any ImageClassifier, _ set: EvaluationSet) throws -> BiasGroupAccuracy {
        try BiasGroupAccuracy(predictions: ClassifierInference.predictions(model, images: set.images), labels: set.labels, colours: set.bias)
    }

    func output(record: DebiasRunRecord, change: ParameterChange?, before: BiasGroupAccuracy?, after: BiasGroupAccuracy?, tuneCount: Int) throws {
        func numbers(_ g: BiasGroupAccuracy) -> [String: Any] {
            ["accuracy": g.overall, "unbiased": g.unbiased, "worst_group": g.worstGroup,
             "aligned": g.aligned.isNaN ? NSNull() : g.aligned as Any, "conflicting": g.conflicting.isNaN ? NSNull() : g.conflicting as Any]
        }
        var object: [String: Any] = [
            "method": method, "tuning_images": tuneCount, "steps": record.steps, "stopped_early": record.stoppedEarly,
            "first_all_correct_step": record.firstFullyCorrectStep.map { $0 as Any } ?? NSNull(), "seconds": record.seconds,
            "tuning_accuracy": record.finalTuningAccuracy, "checkpoint": out,
        ]
        if let before, let after { object["before"] = numbers(before); object["after"] = numbers(after) }
        if let change { object["change_l1"] = change.l1Norm; object["change_nonzero"] = change.nonzeroCount() }
        if common.json { try JSONOutput.print(object); return }
        print(String(format: "%@ on %d counter-examples: %d steps (%@), %.1f s, tuning accuracy %.1f%%", method, tuneCount, record.steps,
                     record.stoppedEarly ? "stopped at t* + epsilon" : "step cap", record.seconds, 100 * record.finalTuningAccuracy))
        if let before, let after {
            print("                 before    after")
            for (name, b, a) in [("unbiased", before.unbiased, after.unbiased), ("worst group", before.worstGroup, after.worstGroup),
                                 ("bias-aligned", before.aligned, after.aligned), ("bias-conflicting", before.conflicting, after.conflicting)] {
                print(String(format: "  %-16@ %6.2f%%  %6.2f%%", name as NSString, 100 * b, 100 * a))
            }
        }
        print("  checkpoint: \(out)")
    }
}
