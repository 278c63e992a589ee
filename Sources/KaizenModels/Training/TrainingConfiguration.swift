import KaizenNN

/// How `ClassifierTrainer` runs: epochs, batches, learning-rate schedule and augmentation.
/// The optimiser itself (and its own hyper-parameters) is chosen by the caller.
public struct TrainingConfiguration: Sendable, Equatable {
    /// Learning-rate shape over all steps.
    public enum Schedule: String, Sendable, CaseIterable {
        /// Cosine decay from `learningRate` to 0 (the FTP paper's schedule).
        case cosine
        /// `learningRate` throughout.
        case constant
    }

    /// Passes over the training set.
    public var epochs = 5
    /// Images per step; the last batch of an epoch may be smaller.
    public var batchSize = 64
    /// Peak learning rate, written to the optimiser before every step.
    public var learningRate: Float = 0.01
    /// Learning-rate shape.
    public var schedule: Schedule = .cosine
    /// Linear warm-up steps from 0 before the schedule.
    public var warmupSteps = 0
    /// Random horizontal flips of training batches (off for data where left/right matters).
    public var horizontalFlip = true
    /// Label smoothing of the cross-entropy.
    public var labelSmoothing: Float = 0
    /// Seed of the shuffling and augmentation (epoch `e` uses a stream derived from it, so a resumed
    /// run sees the same batches as an uninterrupted one).
    public var seed: UInt64 = 0
    /// Keep BatchNorm in evaluation mode while training (frozen running statistics), as tuning
    /// methods that must not move the statistics require.
    public var freezeBatchNormStatistics = false

    public init() {}

    /// The schedule for `totalSteps` optimiser steps.
    public func learningRateSchedule(totalSteps: Int) throws -> any LearningRateSchedule {
        let main: any LearningRateSchedule
        switch schedule {
        case .cosine: main = try CosineAnnealingSchedule(base: learningRate, totalSteps: max(totalSteps - warmupSteps, 1))
        case .constant: main = ConstantSchedule(learningRate)
        }
        return warmupSteps > 0 ? try LinearWarmupSchedule(warmupSteps: warmupSteps, then: main) : main
    }
}
