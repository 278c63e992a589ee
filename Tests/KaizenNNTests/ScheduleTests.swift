import Testing
import KaizenNN

/// Schedules against the learning rates PyTorch 1.13's schedulers produced (StepLR(3, 0.5),
/// CosineAnnealingLR(10, eta_min 0.01), SequentialLR(LinearLR(0.1, 1, 3), cosine, [3])), base 0.1.
@Suite struct ScheduleTests {
    static func expectClose(_ s: any LearningRateSchedule, _ want: [Float]) {
        for (step, w) in want.enumerated() {
            #expect(Swift.abs(s.lr(at: step) - w) < 1e-7, "step \(step): got \(s.lr(at: step)), PyTorch \(w)")
        }
    }

    @Test func constantAndStep() throws {
        #expect((0..<5).map { ConstantSchedule(0.3).lr(at: $0) } == [0.3, 0.3, 0.3, 0.3, 0.3])
        Self.expectClose(try StepSchedule(base: 0.1, stepSize: 3, gamma: 0.5),
                         [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125, 0.0125, 0.00625, 0.00625])
    }

    @Test func cosineAnnealingWithMinimum() throws {
        let cos = try CosineAnnealingSchedule(base: 0.1, totalSteps: 10, minLR: 0.01)
        Self.expectClose(cos, [0.1, 0.097797543, 0.091405765, 0.081450336, 0.068905765, 0.055, 0.041094235,
                               0.028549664, 0.018594235, 0.012202457, 0.01])
        #expect(cos.lr(at: 25) == 0.01)
    }

    @Test func linearWarmupThenCosine() throws {
        let s = try LinearWarmupSchedule(warmupSteps: 3, startFactor: 0.1,
                                         then: CosineAnnealingSchedule(base: 0.1, totalSteps: 10, minLR: 0.01))
        Self.expectClose(s, [0.01, 0.04, 0.07, 0.1, 0.097797543, 0.091405765, 0.081450336, 0.068905765, 0.055,
                             0.041094235, 0.028549664, 0.018594235, 0.012202457, 0.01])
    }

    @Test func rejectsBadArguments() {
        #expect(throws: KaizenError.self) { try StepSchedule(base: 0.1, stepSize: 0) }
        #expect(throws: KaizenError.self) { try CosineAnnealingSchedule(base: 0.1, totalSteps: 0) }
        #expect(throws: KaizenError.self) { try LinearWarmupSchedule(warmupSteps: 2, startFactor: 2, then: ConstantSchedule(1)) }
    }
}
