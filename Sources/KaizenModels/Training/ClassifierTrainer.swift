import Foundation
import KaizenTensor
import KaizenNN
import KaizenIO
import KaizenData

/// Mini-batch training of an `ImageClassifier` with any optimiser: seeded shuffling, optional
/// flips, a learning-rate schedule, hooks for method-specific penalties and projections, an
/// atomic checkpoint after every epoch, and resuming from it. Fine-tuning baselines (FT, L2-SP,
/// LP-FT, TPGM, FTP) and the debiasing base models are all runs of this loop.
public final class ClassifierTrainer {
    public let model: any ImageClassifier
    public let optimizer: any Optimizer
    public var configuration: TrainingConfiguration
    /// Extra loss added to the mean cross-entropy before backward (L2-SP, MAS).
    public var penalty: ((any ImageClassifier) throws -> Tensor)?
    /// Called after every optimiser step with the global step index (TPGM's projection).
    public var afterStep: ((Int) throws -> Void)?
    /// Called after every epoch (evaluation, logging).
    public var onEpochEnd: ((EpochSummary) throws -> Void)?
    /// Called after every step with (step within epoch, steps per epoch, loss); for progress bars.
    public var progress: ((Int, Int, Float) -> Void)?
    /// Where to write the checkpoint after every epoch (nil: no checkpoints).
    public var checkpoint: CheckpointPlan?
    /// Extra tensors to store in checkpoints (method state outside the optimiser).
    public var extraState: (() -> [(String, Tensor)])?

    /// Epochs already completed (non-zero after `resume`).
    public private(set) var epochsCompleted = 0

    /// Where and with what labels the per-epoch checkpoint is written.
    public struct CheckpointPlan {
        public var url: URL
        public var classes: [String]
        public var inputSize: Int
        public var metadata: [String: String]
        public init(url: URL, classes: [String], inputSize: Int, metadata: [String: String] = [:]) {
            self.url = url
            self.classes = classes
            self.inputSize = inputSize
            self.metadata = metadata
        }
    }

    public init(model: any ImageClassifier, optimizer: any Optimizer, configuration: TrainingConfiguration) {
        self.model = model
        self.optimizer = optimizer
        self.configuration = configuration
    }

    /// Trains on `images` `[N, 3, H, W]` with class indices `labels`, from `epochsCompleted` to
    /// `configuration.epochs`.
    @discardableResult
    public func fit(images: Tensor, labels: [Int]) throws -> TrainingHistory {
        let c = configuration
        guard images.rank == 4, images.shape[0] == labels.count, !labels.isEmpty else {
            throw KaizenError.shapeMismatch(op: "ClassifierTrainer.fit", detail: "need images [N, 3, H, W] with N labels, got \(Shape.describe(images.shape)) and \(labels.count) labels")
        }
        guard c.epochs >= 1, c.batchSize >= 1 else {
            throw KaizenError.invalidArgument(name: "epochs/batchSize", detail: "must be at least 1, got \(c.epochs) epochs of batch \(c.batchSize)")
        }
        guard c.learningRate.isFinite, c.learningRate > 0 else {
            throw KaizenError.invalidArgument(name: "learningRate", detail: "must be positive, got \(c.learningRate)")
        }
        if let bad = labels.first(where: { $0 < 0 || $0 >= model.classCount }) {
            throw KaizenError.invalidArgument(name: "labels", detail: "label \(bad) is outside the head's \(model.classCount) classes")
        }
        let source = images.contiguousValues()
        let n = labels.count
        let stepsPerEpoch = (n + c.batchSize - 1) / c.batchSize
        let schedule = try c.learningRateSchedule(totalSteps: c.epochs * stepsPerEpoch)
        var history = TrainingHistory()
        setTrainingMode()
        defer { model.eval() }
        for epoch in epochsCompleted..<c.epochs {
            var rng = RandomGenerator(seed: CounterHash.mix(c.seed, UInt64(epoch)))
            let order = rng.permutation(n)
            var lossSum = 0.0, correct = 0, stepSeconds = 0.0
            let epochStart = DispatchTime.now().uptimeNanoseconds
            for b in 0..<stepsPerEpoch {
                let rows = Array(order[(b * c.batchSize)..<min((b + 1) * c.batchSize, n)])
                var batch = try Self.gather(source, rows: rows)
                if c.horizontalFlip {
                    batch = try ImageTransforms.horizontalFlip(batch, flip: rows.map { _ in rng.nextFloat() < 0.5 })
                }
                let targets = rows.map { labels[$0] }
                let globalStep = epoch * stepsPerEpoch + b
                let t0 = DispatchTime.now().uptimeNanoseconds
                optimizer.learningRate = schedule.lr(at: globalStep)
                optimizer.zeroGrad()
                let logits = try model(batch)
                var loss = try Loss.crossEntropy(logits, targets: targets, labelSmoothing: c.labelSmoothing)
                if let penalty { loss = try loss + penalty(model) }
                let lossValue = try loss.item()
                guard lossValue.isFinite else {
                    throw KaizenError.numerical(detail: "training loss became \(lossValue) at epoch \(epoch + 1), step \(b + 1); lower the learning rate")
                }
                try loss.backward()
                try optimizer.step()
                try afterStep?(globalStep)
                stepSeconds += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                lossSum += Double(lossValue) * Double(rows.count)
                let predicted = try logits.detached().argmax(axis: 1)
                correct += zip(predicted, targets).filter { $0 == $1 }.count
                progress?(b + 1, stepsPerEpoch, lossValue)
            }
            let summary = EpochSummary(
                epoch: epoch + 1, meanLoss: lossSum / Double(n), trainAccuracy: Double(correct) / Double(n),
                steps: stepsPerEpoch, secondsPerStep: stepSeconds / Double(stepsPerEpoch),
                seconds: Double(DispatchTime.now().uptimeNanoseconds - epochStart) / 1e9)
            history.epochs.append(summary)
            epochsCompleted = epoch + 1
            try writeCheckpoint()
            model.eval()
            try onEpochEnd?(summary)
            setTrainingMode()
        }
        return history
    }

    /// Loads the weights, optimiser state and epoch count from a checkpoint this trainer wrote, so
    /// that `fit` continues where that run stopped.
    public func resume(from url: URL) throws {
        epochsCompleted = try TrainingCheckpoint.restore(from: url, model: model, optimizer: optimizer)
    }

    private func writeCheckpoint() throws {
        guard let plan = checkpoint else { return }
        let (meta, extra) = TrainingCheckpoint.contents(metadata: plan.metadata, epochsCompleted: epochsCompleted,
                                                        optimizer: optimizer, extra: extraState?() ?? [])
        try ClassifierCheckpoint(model: model, classes: plan.classes, inputSize: plan.inputSize,
                                 metadata: meta, extraTensors: extra).save(to: plan.url)
    }

    /// Puts the model in training mode, with BatchNorm in evaluation mode when its statistics are
    /// frozen; hooks that switch modes (TPGM's validation pass) call it to restore the training state.
    public func setTrainingMode() {
        model.train()
        guard configuration.freezeBatchNormStatistics else { return }
        for (_, m) in model.namedModules() where m is BatchNorm2d { m.trainingMode = false }
    }

    /// Copies the given rows of a contiguous `[N, ...]` tensor into a new batch.
    static func gather(_ source: Tensor, rows: [Int]) throws -> Tensor {
        let rowSize = source.count / max(source.shape[0], 1)
        var shape = source.shape
        shape[0] = rows.count
        let out = Tensor(uninitializedShape: shape)
        let src = source.basePointer, dst = out.basePointer
        for (i, r) in rows.enumerated() {
            (dst + i * rowSize).update(from: src + r * rowSize, count: rowSize)
        }
        return out
    }
}

/// What one epoch of training did.
public struct EpochSummary: Sendable, Codable, Equatable {
    public var epoch: Int
    public var meanLoss: Double
    /// Accuracy on the (augmented) training batches as they were trained on.
    public var trainAccuracy: Double
    public var steps: Int
    /// Mean wall time of forward, backward, optimiser step and hooks.
    public var secondsPerStep: Double
    public var seconds: Double
}

/// The epochs of one `fit` call.
public struct TrainingHistory: Sendable, Codable, Equatable {
    public var epochs: [EpochSummary] = []
    public init(epochs: [EpochSummary] = []) { self.epochs = epochs }
    /// Step time averaged over all epochs, weighted by steps.
    public var secondsPerStep: Double {
        let steps = epochs.reduce(0) { $0 + $1.steps }
        return steps == 0 ? 0 : epochs.reduce(0) { $0 + $1.secondsPerStep * Double($1.steps) } / Double(steps)
    }
}
