import Foundation
import KaizenTensor
import KaizenNN
import KaizenData
import KaizenModels

/// The fine-tuning methods RobustTune compares.
public enum FineTuneMethod: String, CaseIterable, Sendable, Codable {
    /// Plain fine-tuning of every parameter.
    case ft
    /// Fast Trainable Projection (Tian et al., NeurIPS 2023) around the base optimiser.
    case ftp
    /// L2-SP (Li et al., ICML 2018): a penalty toward the pretrained weights.
    case l2sp
    /// LP-FT (Kumar et al., ICLR 2022): train the new head alone, then everything.
    case lpft
    /// TPGM (Tian et al., CVPR 2023): projection radii learned on held-out validation batches.
    case tpgm
}

/// The base optimiser under every method.
public enum BaseOptimizer: String, CaseIterable, Sendable, Codable {
    /// SGD with momentum and Nesterov (the FTP paper's SGD setting).
    case sgd
    /// Adam, or AdamW when weight decay is set (decoupled, as FTP's Adam variant).
    case adam

    /// The FTP paper's learning rate for this optimiser (SGD 1e-2, Adam 1e-4).
    public var defaultLearningRate: Float { self == .sgd ? 1e-2 : 1e-4 }
}

/// Everything a robust fine-tuning run needs besides data and model.
public struct RobustFineTuneConfiguration: Sendable {
    /// Which method.
    public var method: FineTuneMethod = .ftp
    /// Which base optimiser.
    public var optimizer: BaseOptimizer = .sgd
    /// Epochs, batch size, learning rate (peak), schedule, augmentation, seed. BatchNorm statistics
    /// are frozen by default: with small batches and EfficientNet's momentum of 0.01 the running
    /// averages lag the changing weights, and evaluation accuracy collapsed (37% vs 73% in BENCHMARKS.md).
    public var training: TrainingConfiguration = {
        var t = TrainingConfiguration()
        t.freezeBatchNormStatistics = true
        return t
    }()
    /// SGD momentum (FTP paper: 0.9).
    public var momentum: Float = 0.9
    /// Nesterov momentum for SGD (FTP paper: on).
    public var nesterov = true
    /// Weight decay (coupled for SGD, decoupled for Adam); the FTP runs use 0.
    public var weightDecay: Float = 0
    /// FTP's own hyper-parameters (k, radius learning rate, initial radius); the head is always excluded.
    public var ftp = FTPConfiguration()
    /// L2-SP strength alpha of the pull toward the pretrained backbone.
    public var l2spAlpha: Float = 0.01
    /// L2-SP weight decay beta of the new head.
    public var l2spBeta: Float = 0.01
    /// LP-FT: epochs of head-only training before full fine-tuning (taken out of `training.epochs`).
    public var probeEpochs = 1
    /// LP-FT: learning-rate multiplier of the head-only phase (a probe tolerates a larger step).
    public var probeLearningRateScale: Float = 10
    /// TPGM's projection hyper-parameters; the head is always excluded.
    public var tpgm = TPGMConfiguration()
    /// TPGM: fraction of the training images held out as its validation data.
    public var tpgmValidationFraction = 0.1

    public init() {}
}

/// What a robust fine-tuning run reports (the JSON of `kaizen finetune`).
public struct FineTuneReport: Sendable, Codable {
    public var method: FineTuneMethod
    public var optimizer: BaseOptimizer
    public var learningRate: Float
    public var epochs: Int
    public var trainImages: Int
    /// Images held out for TPGM (0 otherwise).
    public var validationImages: Int
    public var secondsPerStep: Double
    public var history: [EpochSummary]
    /// Clean and corrupted test accuracy, when test data was given.
    public var evaluation: ShiftEvaluation?
}

/// Runs one method of RobustTune on a classifier whose head already has the right size.
public enum RobustFineTuning {
    /// Fine-tunes `model` on `images`/`labels`; evaluates on `test` and its corruptions if given.
    /// `checkpoint` is written after every epoch; `resumeFrom` continues such a run.
    public static func run(model: any ImageClassifier, images: Tensor, labels: [Int],
                           configuration c: RobustFineTuneConfiguration,
                           test: (images: Tensor, labels: [Int])? = nil, corruptions: [Corruption] = Corruption.allCases,
                           severity: Int = 3, checkpoint: ClassifierTrainer.CheckpointPlan? = nil, resumeFrom: URL? = nil,
                           progress: ((String, Int, Int, Float) -> Void)? = nil) throws -> FineTuneReport {
        let head = Set(model.headParameterNames)
        var train = (images: images, labels: labels)
        var validation: (images: Tensor, labels: [Int])?
        if c.method == .tpgm {
            let split = try holdOut(images: images, labels: labels, fraction: c.tpgmValidationFraction, seed: c.training.seed)
            train = split.train
            validation = split.validation
        }
        var plan = checkpoint
        plan?.metadata["method"] = c.method.rawValue
        plan?.metadata["optimizer"] = c.optimizer.rawValue
        var epochs: [EpochSummary] = []

        func trainer(_ optimizer: any Optimizer, _ training: TrainingConfiguration, phase: String) throws -> ClassifierTrainer {
            let t = ClassifierTrainer(model: model, optimizer: optimizer, configuration: training)
            t.checkpoint = plan.map { var p = $0; p.metadata["phase"] = phase; return p }
            t.progress = progress.map { report in { step, total, loss in report(phase, step, total, loss) } }
            if let resumeFrom, try phaseOf(resumeFrom) == phase { try t.resume(from: resumeFrom) }
            return t
        }

        switch c.method {
        case .ft, .l2sp, .ftp, .tpgm:
            let base = try makeOptimizer(c, parameters: model.trainableParameters(), learningRate: c.training.learningRate)
            let optimizer = try wrapForMethod(base, c, namedParameters: model.namedParameters(), head: head)
            let t = try trainer(optimizer, c.training, phase: "train")
            if let penalty = try l2spPenalty(c, namedParameters: model.namedParameters(), head: head) {
                t.penalty = { _ in try penalty() }
            }
            if c.method == .tpgm, let validation {
                var tpgm = c.tpgm
                tpgm.excludedNames.formUnion(head)
                let projection = try TPGMProjection(model: model, configuration: tpgm)
                let batch = c.training.batchSize
                t.afterStep = { [unowned t] step in
                    let count = validation.labels.count
                    let start = (step * batch) % count
                    let rows = (0..<min(batch, count)).map { (start + $0) % count }
                    let x = try validation.images.indexSelect(axis: 0, indices: rows)
                    let y = rows.map { validation.labels[$0] }
                    try projection.project { try Loss.crossEntropy(model(x), targets: y) }
                    t.setTrainingMode()  // the projection restores plain train mode, which would unfreeze BatchNorm
                }
            }
            epochs = try t.fit(images: train.images, labels: train.labels).epochs
        case .lpft:
            let plan = try LinearProbeThenFineTune(headNames: head, probeEpochs: c.probeEpochs,
                                                   fineTuneEpochs: c.training.epochs - c.probeEpochs)
            let resumePhase = try resumeFrom.map(phaseOf)
            if resumePhase != "fine-tune" {
                try plan.apply(.linearProbe, to: model)
                var probe = c.training
                probe.epochs = c.probeEpochs
                probe.learningRate = c.training.learningRate * c.probeLearningRateScale
                let opt = try makeOptimizer(c, parameters: model.trainableParameters(), learningRate: probe.learningRate)
                epochs += try trainer(opt, probe, phase: "linear-probe").fit(images: train.images, labels: train.labels).epochs
            }
            try plan.apply(.fineTune, to: model)
            var full = c.training
            full.epochs = plan.fineTuneEpochs
            let opt = try makeOptimizer(c, parameters: model.trainableParameters(), learningRate: full.learningRate)
            epochs += try trainer(opt, full, phase: "fine-tune").fit(images: train.images, labels: train.labels).epochs
        }

        let seconds = TrainingHistory(epochs: epochs).secondsPerStep
        let evaluation = try test.map { try ShiftEvaluation.evaluate(model, images: $0.images, labels: $0.labels, corruptions: corruptions, severity: severity) }
        return FineTuneReport(method: c.method, optimizer: c.optimizer, learningRate: c.training.learningRate, epochs: c.training.epochs,
                              trainImages: train.labels.count, validationImages: validation?.labels.count ?? 0,
                              secondsPerStep: seconds, history: epochs, evaluation: evaluation)
    }

    /// `base` as the method needs it: wrapped in FTP (head excluded) for `.ftp`, else unchanged.
    static func wrapForMethod(_ base: any Optimizer, _ c: RobustFineTuneConfiguration, namedParameters: [(String, Parameter)],
                              head: Set<String>) throws -> any Optimizer {
        guard c.method == .ftp else { return base }
        var ftp = c.ftp
        ftp.excludedNames.formUnion(head)
        return try TrainableProjection(base: base, namedParameters: namedParameters, configuration: ftp)
    }

    /// The L2-SP penalty for `.l2sp` (anchored at the current weights), nil for other methods.
    static func l2spPenalty(_ c: RobustFineTuneConfiguration, namedParameters: [(String, Parameter)], head: Set<String>) throws -> L2SPPenalty? {
        guard c.method == .l2sp else { return nil }
        return try L2SPPenalty(namedParameters: namedParameters, headNames: head, alpha: c.l2spAlpha, beta: c.l2spBeta)
    }

    /// The base optimiser over `parameters`.
    public static func makeOptimizer(_ c: RobustFineTuneConfiguration, parameters: [Parameter], learningRate: Float) throws -> any Optimizer {
        switch c.optimizer {
        case .sgd:
            return try SGD(parameters: parameters, lr: learningRate, momentum: c.momentum, weightDecay: c.weightDecay, nesterov: c.nesterov)
        case .adam:
            return c.weightDecay > 0
                ? try AdamW(parameters: parameters, lr: learningRate, weightDecay: c.weightDecay)
                : try Adam(parameters: parameters, lr: learningRate)
        }
    }

    /// A seeded, class-stratified hold-out of `fraction` of the images (at least one image on each side).
    public static func holdOut(images: Tensor, labels: [Int], fraction: Double, seed: UInt64) throws
        -> (train: (images: Tensor, labels: [Int]), validation: (images: Tensor, labels: [Int])) {
        guard fraction > 0, fraction < 1, labels.count >= 2 else {
            throw KaizenError.invalidArgument(name: "validationFraction", detail: "need 0 < fraction < 1 and at least 2 images, got \(fraction) of \(labels.count)")
        }
        var rng = RandomGenerator(seed: CounterHash.mix(seed, 0x7A11))
        let order = rng.permutation(labels.count)
        let held = min(max(1, Int((Double(labels.count) * fraction).rounded())), labels.count - 1)
        let v = Array(order.prefix(held)).sorted(), t = Array(order.dropFirst(held)).sorted()
        return ((try images.indexSelect(axis: 0, indices: t), t.map { labels[$0] }),
                (try images.indexSelect(axis: 0, indices: v), v.map { labels[$0] }))
    }

    static func phaseOf(_ url: URL) throws -> String {
        try ClassifierCheckpoint.metadata(of: url)["phase"] ?? "train"
    }
}
