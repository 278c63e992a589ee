import Foundation
import Testing
@testable import KaizenDebias

@Suite struct ChangePenaltyTests {
    @Test func zeroChangeGivesExactlyTheBaseLogits() throws {
        let base = try TinyNet(seed: 1)
        base.eval()
        let x = Fixture.images(16, seed: 2)
        let expected = try noGrad { try base(x) }
        let tuner = try ChangePenaltyTuner(model: try Fixture.copy(base))
        let got = try noGrad { try tuner.model(x) }
        #expect(got.scalars == expected.scalars)
        #expect(tuner.change.l1Norm == 0)
    }

    @Test func baseIsUnchangedAndModelIsBasePlusChange() throws {
        let base = try TinyNet(seed: 3)
        let before = Fixture.checksum(base), beforeValues = Fixture.values(base)
        let x = Fixture.images(6, seed: 4)
        let y = try Fixture.wrongLabels(base, x)
        let outcome = try Debias.tune(model: base, copy: { try TinyNet(seed: 77) },
                                      method: .changePenalty(.init(optimizer: .adam(learningRate: 1e-2), schedule: .init(maxSteps: 20, earlyStopDelay: nil))),
                                      tuneImages: x, tuneLabels: y)
        #expect(Fixture.checksum(base) == before)
        #expect(Fixture.values(base) == beforeValues)
        let change = try #require(outcome.change)
        #expect(change.l1Norm > 0)
        // W = θ + θ′ exactly (same float addition), parameter by parameter.
        let merged = try Fixture.copy(base)
        try change.merge(into: merged)
        #expect(Fixture.values(merged) == Fixture.values(outcome.model))
        #expect(outcome.record.steps == 20)
    }

    @Test func tunerKeepsItsBaseSnapshotAndOnlyTheChangeMoves() throws {
        let tuner = try ChangePenaltyTuner(model: try TinyNet(seed: 5), configuration: .init(optimizer: .sgd(learningRate: 0.1, momentum: 0.9)))
        let snapshot = tuner.base.map(\.scalars)
        let x = Fixture.images(4, seed: 6)
        let y = try Fixture.wrongLabels(tuner.model, x)
        for _ in 0..<5 { try tuner.step(images: x, labels: y) }
        #expect(tuner.base.map(\.scalars) == snapshot)
        for (i, (name, p)) in tuner.model.namedParameters().enumerated() {
            #expect(name == tuner.changedNames[i])
            let expected = zip(tuner.base[i].scalars, tuner.changes[i].value.scalars).map { $0 + $1 }
            #expect(p.value.scalars == expected)
            #expect(p.grad == nil)
        }
        try tuner.restoreBase()
        #expect(tuner.model.namedParameters().map { $0.1.value.scalars } == snapshot)
    }

    @Test func penaltyGradientsMatchFiniteDifferences() throws {
        let config = ChangePenaltyConfiguration(l1Strength: 0.05, l2Strength: 0.3)
        let tuner = try ChangePenaltyTuner(model: try TinyNet(seed: 7), configuration: config)
        let x = Fixture.images(5, seed: 8)
        let y = [0, 1, 2, 0, 1]
        // A change away from 0 (|θ′| in [0.05, 0.1], random sign) so |·| is differentiable.
        var rng = RandomGenerator(seed: 9)
        let start = ParameterChange(entries: tuner.changes.enumerated().map { i, p in
            let v = rng.uniform(p.shape, low: 0.05, high: 0.1).scalars.map { rng.nextFloat() < 0.5 ? -$0 : $0 }
            return (tuner.changedNames[i], try! Tensor(shape: p.shape, values: v))
        })
        try tuner.setChange(start)
        let analytic = try tuner.objectiveAndGradients(images: x, labels: y).gradients
        let h: Float = 1e-3
        var checked = 0
        for (i, entry) in start.entries.enumerated() {
            for coordinate in Set([0, entry.value.count / 2, entry.value.count - 1]) {
                func objective(_ shift: Float) throws -> Double {
                    var v = entry.value.scalars
                    v[coordinate] += shift
                    var moved = start
                    moved.entries[i].value = try Tensor(shape: entry.value.shape, values: v)
                    try tuner.setChange(moved)
                    return try tuner.objectiveAndGradients(images: x, labels: y).objective
                }
                let numeric = (try objective(h) - objective(-h)) / Double(2 * h)
                let a = Double(analytic[i].scalars[coordinate])
                #expect(Swift.abs(a - numeric) <= 2e-3 + 2e-2 * Swift.abs(a), "\(entry.name)[\(coordinate)]: analytic \(a), numeric \(numeric)")
                checked += 1
            }
        }
        #expect(checked >= 12)
        // The penalty part alone: gradient difference to the unpenalised objective is λ1·sign + 2λ2·θ′.
        try tuner.setChange(start)
        let plain = try ChangePenaltyTuner(model: try Fixture.copy(tuner.model, seed: 10), configuration: .init(l1Strength: 0, l2Strength: 0))
        let ce = try plain.objectiveAndGradients(images: x, labels: y).gradients
        for (i, entry) in start.entries.enumerated() {
            for (k, d) in entry.value.scalars.enumerated() {
                let expected = 0.05 * (d > 0 ? 1 : -1) + 2 * 0.3 * d
                #expect(Swift.abs(analytic[i].scalars[k] - ce[i].scalars[k] - expected) <= 1e-5)
            }
        }
    }

    @Test func hugePenaltyKeepsTheChangeNearZeroAndPredictionsAgree() throws {
        let base = try TinyNet(seed: 11)
        let x = Fixture.images(6, seed: 12)
        let y = try Fixture.wrongLabels(base, x)
        func run(_ lambda: Float) throws -> (ParameterChange, any Layer) {
            let outcome = try Debias.tune(model: base, copy: { try TinyNet(seed: 0) }, method: .changePenalty(.init(
                l1Strength: lambda, l2Strength: lambda, optimizer: .adam(learningRate: 1e-3), schedule: .init(maxSteps: 40, earlyStopDelay: nil))),
                tuneImages: x, tuneLabels: y)
            return (try #require(outcome.change), outcome.model)
        }
        let (huge, hugeModel) = try run(1e6)
        let (medium, _) = try run(1e-1)
        let (free, _) = try run(0)
        let maxChange = huge.entries.flatMap(\.value.scalars).map(abs).max() ?? 0
        #expect(maxChange <= 1e-2)
        #expect(huge.l1Norm < medium.l1Norm && medium.l1Norm < free.l1Norm)
        let test = Fixture.images(300, seed: 13)
        #expect(try DebiasEvaluation.predictions(hugeModel, images: test) == DebiasEvaluation.predictions(base, images: test))
    }

    @Test func zeroPenaltyWithPlainSGDIsFineTuningStepForStep() throws {
        let base = try TinyNet(seed: 14)
        let x = Fixture.images(5, seed: 15)
        let y = try Fixture.wrongLabels(base, x)
        let sgd = TuningOptimizer.sgd(learningRate: 0.2, momentum: 0)
        let penalised = try ChangePenaltyTuner(model: try Fixture.copy(base), configuration: .init(l1Strength: 0, l2Strength: 0, optimizer: sgd))
        let fine = try FineTuner(model: try Fixture.copy(base), configuration: .init(optimizer: sgd))
        for _ in 0..<15 {
            let a = try penalised.step(images: x, labels: y), b = try fine.step(images: x, labels: y)
            #expect(Swift.abs(a - b) <= 1e-5)
            for (p, q) in zip(penalised.model.parameters(), fine.model.parameters()) {
                #expect(Fixture.maxAbsDifference(p.value, q.value) <= 1e-5)
            }
        }
        // And the two really moved.
        #expect(Fixture.maxAbsDifference(fine.model.head.weight.value, base.head.weight.value) > 1e-2)
    }

    @Test func earlyStoppingHaltsAtFirstFullyCorrectStepPlusEpsilon() throws {
        let base = try TinyNet(seed: 16)
        let x = Fixture.images(4, seed: 17)
        let y = try Fixture.wrongLabels(base, x)
        let optimizer = TuningOptimizer.adam(learningRate: 0.05)
        // Replay by hand: accuracy before each update.
        let manual = try ChangePenaltyTuner(model: try Fixture.copy(base), configuration: .init(optimizer: optimizer))
        var accuracies: [Float] = []
        for _ in 0..<200 {
            accuracies.append(try Loss.accuracy(try noGrad { try manual.model(x) }, targets: y))
            try manual.step(images: x, labels: y)
        }
        #expect(accuracies[0] == 0)
        let tStar = try #require(accuracies.firstIndex(of: 1))
        for epsilon in [0, 3, 10] {
            let tuner = try ChangePenaltyTuner(model: try Fixture.copy(base), configuration: .init(optimizer: optimizer,
                                                                                               schedule: .init(maxSteps: 500, earlyStopDelay: epsilon)))
            let record = try tuner.tune(images: x, labels: y)
            #expect(record.firstFullyCorrectStep == tStar)
            #expect(record.steps == tStar + epsilon)
            #expect(record.stoppedEarly)
            #expect(record.losses.count == record.steps)
        }
        let uncapped = try ChangePenaltyTuner(model: try Fixture.copy(base), configuration: .init(optimizer: optimizer,
                                                                                              schedule: .init(maxSteps: tStar + 20, earlyStopDelay: nil)))
        let record = try uncapped.tune(images: x, labels: y)
        #expect(record.steps == tStar + 20 && !record.stoppedEarly && record.firstFullyCorrectStep == tStar)
    }

    @Test func minibatchesWhenTheSetExceedsTheBatchSize() throws {
        let base = try TinyNet(seed: 18)
        let x = Fixture.images(10, seed: 19)
        let y = try Fixture.wrongLabels(base, x)
        let tuner = try ChangePenaltyTuner(model: try Fixture.copy(base), configuration: .init(optimizer: .adam(learningRate: 0.05),
                                                                                            schedule: .init(maxSteps: 300, earlyStopDelay: 0, batchSize: 4)))
        let record = try tuner.tune(images: x, labels: y)
        let t = try #require(record.firstFullyCorrectStep)
        #expect(record.steps == t && record.finalTuningAccuracy == 1)
    }

    @Test func subsetOfParametersAndUnknownNames() throws {
        let base = try TinyNet(seed: 20)
        #expect(throws: KaizenError.self) {
            _ = try ChangePenaltyTuner(model: try Fixture.copy(base), configuration: .init(parameterNames: ["head.weight", "nope.weight"]))
        }
        let tuner = try ChangePenaltyTuner(model: try Fixture.copy(base), configuration: .init(optimizer: .adam(learningRate: 0.05),
                                                                                            parameterNames: ["head.weight", "head.bias"]))
        #expect(tuner.changedNames == ["head.weight", "head.bias"])
        let x = Fixture.images(4, seed: 21)
        _ = try tuner.tune(images: x, labels: try Fixture.wrongLabels(base, x))
        #expect(tuner.model.conv.weight.value.scalars == base.conv.weight.value.scalars)
        #expect(tuner.model.bn.weight?.value.scalars == base.bn.weight?.value.scalars)
        #expect(tuner.model.head.weight.value.scalars != base.head.weight.value.scalars)
    }

    @Test func sparseChangeRoundTrip() throws {
        let base = try TinyNet(seed: 22)
        let x = Fixture.images(4, seed: 23)
        let tuner = try ChangePenaltyTuner(model: try Fixture.copy(base), configuration: .init(l1Strength: 1e-2, optimizer: .adam(learningRate: 1e-2),
                                                                                            schedule: .init(maxSteps: 30, earlyStopDelay: nil)))
        _ = try tuner.tune(images: x, labels: try Fixture.wrongLabels(base, x))
        let change = tuner.change
        let sparse = change.sparse()
        #expect(sparse.storedCount == change.nonzeroCount() && sparse.storedCount > 0)
        let json = try JSONEncoder().encode(sparse)
        let decoded = try JSONDecoder().decode(SparseParameterChange.self, from: json)
        #expect(decoded == sparse)
        let dense = try decoded.dense()
        #expect(dense.entries.map(\.name) == change.entries.map(\.name))
        #expect(dense.entries.map(\.value.scalars) == change.entries.map(\.value.scalars))
        let merged = try Fixture.copy(base)
        try decoded.merge(into: merged)
        #expect(Fixture.values(merged) == Fixture.values(tuner.model))
        // A threshold keeps only the larger entries; merging it stays close.
        let pruned = change.sparse(threshold: 1e-3)
        #expect(pruned.storedCount == change.nonzeroCount(threshold: 1e-3) && pruned.storedCount <= sparse.storedCount)
        #expect(throws: KaizenError.self) {
            try ParameterChange(entries: [("missing.weight", .zeros([2]))]).merge(into: merged)
        }
    }
}
