import KaizenData
import KaizenEval
import KaizenModels

/// A few-sample debiasing method and its settings (spec/debias.md).
public enum DebiasMethod: Sendable {
    /// Tuning while penalising change (Penzel, Stein & Denzler, VISAPP 2024).
    case changePenalty(ChangePenaltyConfiguration)
    /// Plain fine-tuning (with or without the t* + ε stop, see `TuningSchedule.earlyStopDelay`).
    case fineTuning(FineTuningConfiguration)
    /// Side-tuning (Zhang et al., ECCV 2020): α·B(x) + (1 − α)·S(x), S a trainable copy of B.
    case sideTuning(SideTuningConfiguration)
    /// Fine-tuning with the MAS penalty (Aljundi et al., ECCV 2018); Ω from unlabeled images, or given.
    case memoryAwareSynapses(MASConfiguration, importances: MASImportanceSource)
    /// DFR last-layer refit (Kirichenko et al., ICLR 2023) on the tuning set (make it group-balanced);
    /// needs an `ImageClassifier` (features and a linear head).
    case lastLayerRefit(LastLayerRefitConfiguration)

    /// Short name used in run records.
    public var name: String {
        switch self {
        case .changePenalty: return "change-penalty"
        case .fineTuning: return "fine-tuning"
        case .sideTuning: return "side-tuning"
        case .memoryAwareSynapses: return "mas"
        case .lastLayerRefit: return "last-layer-refit"
        }
    }
}

/// The result of `Debias.tune`: the tuned model (the base's architecture, or a `SideTunedModel`), the
/// run record and, for change penalisation, the change θ′ itself.
public struct DebiasOutcome {
    public let model: any Layer
    public let record: DebiasRunRecord
    /// θ′ for `.changePenalty` (the model already holds θ + θ′); nil otherwise.
    public let change: ParameterChange?
}

/// One entry point for the few-sample debiasing methods. The base model is never modified: each
/// method works on copies made with `copy` (a fresh instance of the same architecture; the base's
/// state dict is loaded into it). Every method runs in eval mode (frozen BatchNorm statistics).
public enum Debias {
    public static func tune<M: Layer>(model base: M, copy makeModel: () throws -> M, method: DebiasMethod,
                                      tuneImages: Tensor, tuneLabels: [Int]) throws -> DebiasOutcome {
        let clock = ContinuousClockStart()
        let outcome: DebiasOutcome
        switch method {
        case .changePenalty(let configuration):
            let tuner = try ChangePenaltyTuner(model: try ModelCopy.copy(base, using: makeModel), configuration: configuration)
            let record = try tuner.tune(images: tuneImages, labels: tuneLabels)
            outcome = DebiasOutcome(model: tuner.model, record: record, change: tuner.change)
        case .fineTuning(let configuration):
            let tuner = try FineTuner(model: try ModelCopy.copy(base, using: makeModel), configuration: configuration)
            outcome = DebiasOutcome(model: tuner.model, record: try tuner.tune(images: tuneImages, labels: tuneLabels), change: nil)
        case .sideTuning(let configuration):
            let blended = try SideTunedModel(base: try ModelCopy.copy(base, using: makeModel), side: try ModelCopy.copy(base, using: makeModel),
                                             alpha: configuration.alpha.value(atStep: 0))
            let record = try SideTuning.tune(blended, configuration: configuration, images: tuneImages, labels: tuneLabels)
            outcome = DebiasOutcome(model: blended, record: record, change: nil)
        case let .memoryAwareSynapses(configuration, source):
            let copy = try ModelCopy.copy(base, using: makeModel)
            let omega: [(name: String, value: Tensor)]
            switch source {
            case .images(let images):
                omega = try MemoryAwareSynapses.importances(model: copy, images: images, batchSize: configuration.importanceBatchSize)
            case .precomputed(let given):
                omega = given
            }
            let tuner = try FineTuner(model: copy, configuration: configuration.fineTuning,
                                      anchor: QuadraticAnchor(strength: configuration.strength, importances: omega))
            outcome = DebiasOutcome(model: tuner.model, record: try tuner.tune(images: tuneImages, labels: tuneLabels), change: nil)
        case .lastLayerRefit(let configuration):
            guard let copy = try ModelCopy.copy(base, using: makeModel) as? any ImageClassifier else {
                throw KaizenError.invalidArgument(name: "model", detail: "last-layer refit needs a model with pooled features and a linear head (an ImageClassifier); \(M.self) is not one")
            }
            let record = try LastLayerRefit.refit(copy, images: tuneImages, labels: tuneLabels, configuration: configuration)
            outcome = DebiasOutcome(model: copy, record: record, change: nil)
        }
        var record = outcome.record
        record.seconds = clock.elapsed
        return DebiasOutcome(model: outcome.model, record: record, change: outcome.change)
    }
}

/// Copies a model through its state dict into a fresh instance of the same architecture.
public enum ModelCopy {
    /// `make()` must build the same architecture (same parameter and buffer names and shapes); the
    /// copy holds the base's parameters and BatchNorm statistics, all trainable, in eval mode.
    public static func copy<M: Layer>(_ base: M, using make: () throws -> M) throws -> M {
        let copy = try make()
        guard copy !== base else {
            throw KaizenError.invalidArgument(name: "copy", detail: "the copy closure returned the base model itself; it must build a new instance")
        }
        try copy.loadStateDict(Dictionary(base.stateDict(), uniquingKeysWith: { a, _ in a }))
        copy.unfreeze()
        copy.eval()
        return copy
    }
}

/// Evaluation helpers (eval mode, no gradients, batched).
public enum DebiasEvaluation {
    /// Arg-max class per image.
    public static func predictions(_ model: any Layer, images: Tensor, batchSize: Int = 256) throws -> [Int] {
        model.eval()
        return try noGrad {
            var out: [Int] = []
            var s = 0
            while s < images.shape[0] {
                let n = min(batchSize, images.shape[0] - s)
                out += try argmaxRows(try model(try images.narrowed(axis: 0, start: s, length: n).contiguous()))
                s += n
            }
            return out
        }
    }

    /// Unbiased, worst-group, aligned and conflicting accuracy on a coloured split.
    public static func groupAccuracy(_ model: any Layer, split: ColoredSplit, batchSize: Int = 256) throws -> BiasGroupAccuracy {
        try groupAccuracy(model, images: split.images, labels: split.labels, colours: split.colours, batchSize: batchSize)
    }

    /// The same on any images with labels and bias attributes (colour ids).
    public static func groupAccuracy(_ model: any Layer, images: Tensor, labels: [Int], colours: [Int], batchSize: Int = 256) throws -> BiasGroupAccuracy {
        try BiasGroupAccuracy(predictions: try predictions(model, images: images, batchSize: batchSize), labels: labels, colours: colours)
    }
}
