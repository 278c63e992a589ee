import Foundation
import Testing
import KaizenEval
@testable import KaizenDebias

@Suite struct BaselineTests {
    static func flatLinear() -> Sequential {
        var rng = RandomGenerator(seed: 0)
        return Sequential(Flatten(), Linear(108, 3, rng: &rng))
    }

    @Test func sideTuningWithAlphaOneOrAnIdenticalSideIsTheBase() throws {
        let base = try TinyNet(seed: 30)
        base.eval()
        let x = Fixture.images(12, seed: 31)
        let expected = try noGrad { try base(x) }
        // α = 1 with a different side network: exactly B.
        let blendedOne = try SideTunedModel(base: try Fixture.copy(base), side: try TinyNet(seed: 32), alpha: 1)
        #expect(try noGrad { try blendedOne(x) }.scalars == expected.scalars)
        // S = copy(B) at step 0, any α: B up to rounding of α·b + (1 − α)·b.
        for alpha: Float in [0, 0.5, 0.8] {
            let blended = try SideTunedModel(base: try Fixture.copy(base), side: try Fixture.copy(base), alpha: alpha)
            #expect(Fixture.maxAbsDifference(try noGrad { try blended(x) }, expected) <= 1e-6)
        }
        #expect(throws: KaizenError.self) { _ = try SideTunedModel(base: base, side: base, alpha: 0.5) }
    }

    @Test func sideTuningTrainsOnlyTheSideAndFollowsTheAlphaSchedule() throws {
        let base = try TinyNet(seed: 33)
        let x = Fixture.images(4, seed: 34)
        let y = try Fixture.wrongLabels(base, x)
        let before = Fixture.values(base)
        let outcome = try Debias.tune(model: base, copy: { try TinyNet(seed: 0) }, method: .sideTuning(.init(
            alpha: .fixed(0.5), optimizer: .adam(learningRate: 0.05), schedule: .init(maxSteps: 300, earlyStopDelay: 2))), tuneImages: x, tuneLabels: y)
        let blended = try #require(outcome.model as? SideTunedModel<TinyNet>)
        #expect(Fixture.values(blended.base) == before)
        #expect(Fixture.values(blended.side) != before)
        #expect(outcome.record.finalTuningAccuracy == 1)
        #expect(blended.namedParameters().allSatisfy { $0.0.hasPrefix("side.") })
        let decay = SideTuningAlpha.linearDecay(start: 1, end: 0.2, steps: 8)
        #expect(decay.value(atStep: 0) == 1 && Swift.abs(decay.value(atStep: 4) - 0.6) < 1e-6)
        #expect(decay.value(atStep: 8) == 0.2 && decay.value(atStep: 50) == 0.2 && SideTuningAlpha.fixed(0.8).value(atStep: 7) == 0.8)
    }

    @Test func masImportancesMatchTheClosedFormOfALinearModel() throws {
        // F(x) = W x + b: ∂‖F‖²/∂W_ij = 2 F_i x_j, ∂‖F‖²/∂b_i = 2 F_i.
        var rng = RandomGenerator(seed: 35)
        let linear = Linear(5, 3, rng: &rng)
        let model = Sequential(Flatten(), linear)
        let x = rng.uniform([7, 5], low: -1, high: 1)
        let omega = try MemoryAwareSynapses.importances(model: model, images: x)
        let w = linear.weight.value.scalars, b = try #require(linear.bias?.value.scalars), xs = x.scalars
        var expectedW = [Double](repeating: 0, count: 15), expectedB = [Double](repeating: 0, count: 3)
        for k in 0..<7 {
            for i in 0..<3 {
                var f = Double(b[i])
                for j in 0..<5 { f += Double(w[i * 5 + j]) * Double(xs[k * 5 + j]) }
                expectedB[i] += Swift.abs(2 * f) / 7
                for j in 0..<5 { expectedW[i * 5 + j] += Swift.abs(2 * f * Double(xs[k * 5 + j])) / 7 }
            }
        }
        #expect(omega.map(\.name) == ["1.weight", "1.bias"])
        for (got, want) in zip(omega[0].value.scalars, expectedW) { #expect(Swift.abs(Double(got) - want) <= 1e-4) }
        for (got, want) in zip(omega[1].value.scalars, expectedB) { #expect(Swift.abs(Double(got) - want) <= 1e-4) }
        // Batch-wise: a lower bound of the per-sample mean.
        let batched = try MemoryAwareSynapses.importances(model: model, images: x, batchSize: 7)
        for (a, b) in zip(batched[0].value.scalars, omega[0].value.scalars) { #expect(a <= b + 1e-5) }
    }

    @Test func masWithZeroStrengthIsFineTuningAndImportancesAreNonNegative() throws {
        let base = try TinyNet(seed: 36)
        let x = Fixture.images(5, seed: 37)
        let y = try Fixture.wrongLabels(base, x)
        let omega = try MemoryAwareSynapses.importances(model: try Fixture.copy(base), images: Fixture.images(20, seed: 38))
        let all = omega.flatMap(\.value.scalars)
        #expect(all.allSatisfy { $0 >= 0 } && all.contains { $0 > 0 })
        #expect(omega.map(\.name) == base.namedParameters().map(\.0))
        let sgd = FineTuningConfiguration(optimizer: .sgd(learningRate: 0.2, momentum: 0.9))
        let mas = try FineTuner(model: try Fixture.copy(base), configuration: sgd, anchor: QuadraticAnchor(strength: 0, importances: omega))
        let plain = try FineTuner(model: try Fixture.copy(base), configuration: sgd)
        for _ in 0..<10 {
            try mas.step(images: x, labels: y)
            try plain.step(images: x, labels: y)
            #expect(Fixture.values(mas.model) == Fixture.values(plain.model))
        }
        // A strong anchor keeps θ closer to θ* (λ as large as SGD stays stable with: lr·2λ·max Ω = 0.5).
        let strength = 0.5 / (0.2 * 2 * (all.max() ?? 1))
        let anchored = try FineTuner(model: try Fixture.copy(base), configuration: sgd, anchor: QuadraticAnchor(strength: strength, importances: omega))
        for _ in 0..<10 { try anchored.step(images: x, labels: y) }
        func distance(_ m: TinyNet) -> Float {
            zip(Fixture.values(m), Fixture.values(base)).reduce(0) { $0 + zip($1.0, $1.1).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
        }
        #expect(distance(anchored.model) < distance(plain.model))
        #expect(anchored.penalty > 0)
    }

    @Test func masThroughTheEntryPointLeavesTheBaseAndComputesImportances() throws {
        let base = try TinyNet(seed: 47)
        let before = Fixture.values(base)
        let x = Fixture.images(4, seed: 48)
        let y = try Fixture.wrongLabels(base, x)
        let configuration = MASConfiguration(strength: 1, importanceBatchSize: 2,
                                             fineTuning: .init(optimizer: .adam(learningRate: 0.05), schedule: .init(maxSteps: 100, earlyStopDelay: 0)))
        let outcome = try Debias.tune(model: base, copy: { try TinyNet(seed: 0) },
                                      method: .memoryAwareSynapses(configuration, importances: .images(Fixture.images(8, seed: 49))),
                                      tuneImages: x, tuneLabels: y)
        #expect(Fixture.values(base) == before)
        #expect(outcome.record.method == "mas" && outcome.record.steps == outcome.record.firstFullyCorrectStep)
        #expect(outcome.record.finalTuningAccuracy == 1)
    }

    @Test func masPenaltyGradientMatchesFiniteDifferences() throws {
        let base = try TinyNet(seed: 39)
        let omega = try MemoryAwareSynapses.importances(model: try Fixture.copy(base), images: Fixture.images(10, seed: 40))
        let tuner = try FineTuner(model: try Fixture.copy(base), configuration: .init(optimizer: .sgd(learningRate: 0.5, momentum: 0)),
                                  anchor: QuadraticAnchor(strength: 3, importances: omega))
        let x = Fixture.images(3, seed: 41)
        try tuner.step(images: x, labels: [0, 1, 2])
        // Penalty value vs its analytic gradient 2λΩ(θ − θ*) on the head weight.
        let p = tuner.model.head.weight
        let anchorIndex = try #require(tuner.anchors.firstIndex { $0.parameter === p })
        let h: Float = 1e-2
        for k in [0, 5, 11] {
            let original = p.value.basePointer[k]
            p.value.basePointer[k] = original + h
            let up = tuner.penalty
            p.value.basePointer[k] = original - h
            let down = tuner.penalty
            p.value.basePointer[k] = original
            let a = tuner.anchors[anchorIndex]
            let analytic = 2 * Double(a.weight.scalars[k]) * Double(original - a.anchor.scalars[k])
            #expect(Swift.abs((up - down) / Double(2 * h) - analytic) <= 1e-4 + 1e-2 * Swift.abs(analytic))
        }
    }

    @Test func fineTuningWithAndWithoutTheEarlyStop() throws {
        let base = try TinyNet(seed: 42)
        let x = Fixture.images(4, seed: 43)
        let y = try Fixture.wrongLabels(base, x)
        let stopped = try Debias.tune(model: base, copy: { try TinyNet(seed: 0) }, method: .fineTuning(.init(
            optimizer: .adam(learningRate: 0.05), schedule: .init(maxSteps: 200, earlyStopDelay: 5))), tuneImages: x, tuneLabels: y)
        let full = try Debias.tune(model: base, copy: { try TinyNet(seed: 0) }, method: .fineTuning(.init(
            optimizer: .adam(learningRate: 0.05), schedule: .init(maxSteps: 200, earlyStopDelay: nil))), tuneImages: x, tuneLabels: y)
        let t = try #require(stopped.record.firstFullyCorrectStep)
        #expect(stopped.record.steps == t + 5 && stopped.record.stoppedEarly)
        #expect(full.record.steps == 200 && !full.record.stoppedEarly && full.record.firstFullyCorrectStep == t)
    }

    @Test func lastLayerRefitReplacesOnlyTheHeadWithTheProbe() throws {
        let base = try TinyNet(seed: 44)
        let x = Fixture.images(30, seed: 45)
        let y = (0..<30).map { $0 % 3 }
        let configuration = LastLayerRefitConfiguration(lambdas: [1e-3])
        let outcome = try Debias.tune(model: base, copy: { try TinyNet(seed: 0) }, method: .lastLayerRefit(configuration), tuneImages: x, tuneLabels: y)
        let refit = try #require(outcome.model as? TinyNet)
        #expect(refit.conv.weight.value.scalars == base.conv.weight.value.scalars)
        #expect(refit.head.weight.value.scalars != base.head.weight.value.scalars)
        base.eval()
        let features = try noGrad { try base.features(x) }
        var probe = LinearProbe(seed: 0)
        probe.lambdas = [1e-3]
        try probe.fit(features: features, labels: y, classCount: 3)
        let test = Fixture.images(20, seed: 46)
        let expected = try probe.logits(try noGrad { try base.features(test) })
        #expect(Fixture.maxAbsDifference(try noGrad { try refit(test) }, expected) <= 1e-4)
        #expect(throws: KaizenError.self) {
            _ = try Debias.tune(model: Self.flatLinear(), copy: { Self.flatLinear() },
                                method: .lastLayerRefit(configuration), tuneImages: x, tuneLabels: y)
        }
    }
}

