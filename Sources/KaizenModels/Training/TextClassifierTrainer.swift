import Foundation
import KaizenTensor
import KaizenNN
import KaizenIO

/// Mini-batch fine-tuning of a `TextClassifier` with any optimiser, the text counterpart of
/// `ClassifierTrainer`: texts are tokenised once, each step pads its batch to the longest sequence
/// (padding masked out of attention and pooling), batches are shuffled with a per-epoch seeded
/// stream, the learning rate follows `configuration`'s schedule, `penalty` adds a method's loss term
/// (L2-SP), and an atomic checkpoint is written after every epoch (`resume` continues from it).
/// Augmentation settings of `TrainingConfiguration` (flips, BatchNorm freezing) do not apply to text.
public final class TextClassifierTrainer {
    public let model: TextClassifier
    public let optimizer: any Optimizer
    public var configuration: TrainingConfiguration
    /// Extra loss added to the mean cross-entropy before backward (L2-SP).
    public var penalty: ((TextClassifier) throws -> Tensor)?
    /// Called after every step with (step within epoch, steps per epoch, loss); for progress bars.
    public var progress: ((Int, Int, Float) -> Void)?
    /// Where to write the checkpoint after every epoch (nil: no checkpoints).
    public var checkpoint: Plan?
    /// Epochs already completed (non-zero after `resume`).
    public private(set) var epochsCompleted = 0

    /// Where and with what class list and metadata the per-epoch checkpoint is written.
    public struct Plan {
        public var url: URL
        public var classes: [String]
        public var metadata: [String: String]
        public init(url: URL, classes: [String], metadata: [String: String] = [:]) {
            self.url = url
            self.classes = classes
            self.metadata = metadata
        }
    }

    public init(model: TextClassifier, optimizer: any Optimizer, configuration: TrainingConfiguration) {
        self.model = model
        self.optimizer = optimizer
        self.configuration = configuration
    }

    /// Trains on `texts` with class indices `labels`, from `epochsCompleted` to `configuration.epochs`.
    @discardableResult
    public func fit(texts: [String], labels: [Int]) throws -> TrainingHistory {
        let c = configuration
        guard texts.count == labels.count, !labels.isEmpty else {
            throw KaizenError.shapeMismatch(op: "TextClassifierTrainer.fit", detail: "need one label per text, got \(texts.count) texts and \(labels.count) labels")
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
        var tokens: [[Int]] = []
        tokens.reserveCapacity(texts.count)
        for text in texts { tokens.append(try model.tokenizer.encode(text, maxLength: model.maxTokens)) }
        let n = labels.count
        let stepsPerEpoch = (n + c.batchSize - 1) / c.batchSize
        let schedule = try c.learningRateSchedule(totalSteps: c.epochs * stepsPerEpoch)
        var history = TrainingHistory()
        model.train()
        defer { model.eval() }
        for epoch in epochsCompleted..<c.epochs {
            var rng = RandomGenerator(seed: CounterHash.mix(c.seed, UInt64(epoch)))
            let order = rng.permutation(n)
            var lossSum = 0.0, correct = 0, stepSeconds = 0.0
            let epochStart = DispatchTime.now().uptimeNanoseconds
            for b in 0..<stepsPerEpoch {
                let rows = Array(order[(b * c.batchSize)..<min((b + 1) * c.batchSize, n)])
                let (ids, mask) = Self.padded(rows.map { tokens[$0] }, padding: model.tokenizer.paddingID)
                let targets = rows.map { labels[$0] }
                let t0 = DispatchTime.now().uptimeNanoseconds
                optimizer.learningRate = schedule.lr(at: epoch * stepsPerEpoch + b)
                optimizer.zeroGrad()
                let logits = try model.logits(ids: ids, mask: mask)
                var loss = try Loss.crossEntropy(logits, targets: targets, labelSmoothing: c.labelSmoothing)
                if let penalty { loss = try loss + penalty(model) }
                let lossValue = try loss.item()
                guard lossValue.isFinite else {
                    throw KaizenError.numerical(detail: "training loss became \(lossValue) at epoch \(epoch + 1), step \(b + 1); lower the learning rate")
                }
                try loss.backward()
                try optimizer.step()
                stepSeconds += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                lossSum += Double(lossValue) * Double(rows.count)
                correct += zip(try logits.detached().argmax(axis: 1), targets).filter { $0 == $1 }.count
                progress?(b + 1, stepsPerEpoch, lossValue)
            }
            history.epochs.append(EpochSummary(
                epoch: epoch + 1, meanLoss: lossSum / Double(n), trainAccuracy: Double(correct) / Double(n),
                steps: stepsPerEpoch, secondsPerStep: stepSeconds / Double(stepsPerEpoch),
                seconds: Double(DispatchTime.now().uptimeNanoseconds - epochStart) / 1e9))
            epochsCompleted = epoch + 1
            try writeCheckpoint()
        }
        return history
    }

    /// Loads the weights, optimiser state and epoch count from a checkpoint this trainer wrote.
    public func resume(from url: URL) throws {
        epochsCompleted = try TrainingCheckpoint.restore(from: url, model: model, optimizer: optimizer)
    }

    private func writeCheckpoint() throws {
        guard let plan = checkpoint else { return }
        let (meta, extra) = TrainingCheckpoint.contents(metadata: plan.metadata, epochsCompleted: epochsCompleted, optimizer: optimizer)
        try TextClassifierCheckpoint(model: model, classes: plan.classes, metadata: meta, extraTensors: extra).save(to: plan.url)
    }

    /// Pads token sequences with `padding` to the longest; the mask is true on real tokens.
    static func padded(_ sequences: [[Int]], padding: Int) -> (ids: [[Int]], mask: [[Bool]]) {
        let longest = sequences.reduce(0) { max($0, $1.count) }
        let ids = sequences.map { $0 + Array(repeating: padding, count: longest - $0.count) }
        let mask = sequences.map { Array(repeating: true, count: $0.count) + Array(repeating: false, count: longest - $0.count) }
        return (ids, mask)
    }
}
