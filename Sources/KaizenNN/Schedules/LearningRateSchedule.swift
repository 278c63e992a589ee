import Foundation

/// A learning rate as a pure function of the step (0-based count of optimiser steps taken).
/// Set `optimizer.learningRate = schedule.lr(at: step)` before each step.
public protocol LearningRateSchedule: Sendable {
    func lr(at step: Int) -> Float
}

/// The same rate at every step.
public struct ConstantSchedule: LearningRateSchedule {
    public let base: Float
    public init(_ base: Float) { self.base = base }
    public func lr(at step: Int) -> Float { base }
}

/// base * gamma^(step / stepSize) (PyTorch's `StepLR`).
public struct StepSchedule: LearningRateSchedule {
    public let base: Float, stepSize: Int, gamma: Float

    public init(base: Float, stepSize: Int, gamma: Float = 0.1) throws {
        guard stepSize >= 1 else {
            throw KaizenError.invalidArgument(name: "stepSize", detail: "StepSchedule: must be >= 1, got \(stepSize)")
        }
        self.base = base
        self.stepSize = stepSize
        self.gamma = gamma
    }

    public func lr(at step: Int) -> Float {
        Float(Double(base) * Foundation.pow(Double(gamma), Double(max(step, 0) / stepSize)))
    }
}

/// Half a cosine from `base` at step 0 down to `minLR` at `totalSteps` (PyTorch's
/// `CosineAnnealingLR` closed form with T_max = totalSteps); stays at `minLR` afterwards
/// instead of rising again.
public struct CosineAnnealingSchedule: LearningRateSchedule {
    public let base: Float, totalSteps: Int, minLR: Float

    public init(base: Float, totalSteps: Int, minLR: Float = 0) throws {
        guard totalSteps >= 1 else {
            throw KaizenError.invalidArgument(name: "totalSteps", detail: "CosineAnnealingSchedule: must be >= 1, got \(totalSteps)")
        }
        self.base = base
        self.totalSteps = totalSteps
        self.minLR = minLR
    }

    public func lr(at step: Int) -> Float {
        let t = Double(min(max(step, 0), totalSteps)) / Double(totalSteps)
        return Float(Double(minLR) + Double(base - minLR) * (1 + Foundation.cos(Double.pi * t)) / 2)
    }
}

/// Linear warm-up in front of any schedule: during the first `warmupSteps` steps the rate rises
/// linearly from `startFactor * after.lr(at: 0)` towards `after.lr(at: 0)` (PyTorch's `LinearLR`);
/// from then on it is `after.lr(at: step - warmupSteps)` (as `SequentialLR` offsets its second part).
public struct LinearWarmupSchedule: LearningRateSchedule {
    public let warmupSteps: Int, startFactor: Float
    public let after: any LearningRateSchedule

    public init(warmupSteps: Int, startFactor: Float = 0, then after: any LearningRateSchedule) throws {
        guard warmupSteps >= 0 else {
            throw KaizenError.invalidArgument(name: "warmupSteps", detail: "LinearWarmupSchedule: must be >= 0, got \(warmupSteps)")
        }
        guard startFactor >= 0, startFactor <= 1 else {
            throw KaizenError.invalidArgument(name: "startFactor", detail: "LinearWarmupSchedule: must be in [0, 1], got \(startFactor)")
        }
        self.warmupSteps = warmupSteps
        self.startFactor = startFactor
        self.after = after
    }

    public func lr(at step: Int) -> Float {
        guard step < warmupSteps else { return after.lr(at: step - warmupSteps) }
        let fraction = Double(max(step, 0)) / Double(warmupSteps)
        return Float(Double(after.lr(at: 0)) * (Double(startFactor) + (1 - Double(startFactor)) * fraction))
    }
}
