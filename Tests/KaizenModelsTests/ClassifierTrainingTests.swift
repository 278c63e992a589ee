import Foundation
import Testing
import KaizenData
import KaizenIO
import KaizenModels
import KaizenNN
import KaizenTensor

/// The shared classifier layer: SmallCNN, checkpoints, batched inference and the training loop.
@Suite struct ClassifierTrainingTests {
    /// 3x8x8 images whose top or bottom half is brighter (flip-invariant), plus noise.
    static func brightHalfImages(count: Int, seed: UInt64) throws -> (Tensor, [Int]) {
        var rng = RandomGenerator(seed: seed)
        var values: [Float] = [], labels: [Int] = []
        for i in 0..<count {
            let label = i % 2
            labels.append(label)
            for _ in 0..<3 {
                for row in 0..<8 {
                    for _ in 0..<8 { values.append(((row < 4) == (label == 0) ? 0.8 : -0.2) + 0.3 * Float(rng.nextNormal())) }
                }
            }
        }
        return (try Tensor(shape: [count, 3, 8, 8], values: values), labels)
    }

    static func temporaryFile(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-\(UUID().uuidString)-\(name)")
    }

    @Test func smallCNNHasAboutOneHundredThousandParametersAndAnyInputSize() throws {
        let model = try SmallCNN(classes: 10)
        #expect((90_000...110_000).contains(model.parameterCount))
        model.eval()
        let x = RandomGenerator(seed: 1).normalTensor([2, 3, 28, 28])
        #expect(try model(x).shape == [2, 10])
        #expect(try model.features(RandomGenerator(seed: 2).normalTensor([1, 3, 13, 17])).shape == [1, 128])
        #expect(model.headParameterNames.allSatisfy { model.parameter(named: $0) != nil })
        #expect(model.backboneParameters().count == model.namedParameters().count - 2)
    }

    @Test func checkpointRoundTripGivesTheSameLogitsClassesAndSize() throws {
        let model = try SmallCNN(classes: 3, seed: 7)
        let url = Self.temporaryFile("ckpt.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try ClassifierCheckpoint(model: model, classes: ["cat", "dog", "eel"], inputSize: 28,
                                 metadata: ["method": "ft"], extraTensors: ["x": Tensor(scalar: 4)]).save(to: url)
        let loaded = try ClassifierCheckpoint.load(from: url)
        #expect(loaded.classes == ["cat", "dog", "eel"])
        #expect(loaded.inputSize == 28)
        #expect(loaded.metadata["method"] == "ft")
        #expect(try loaded.extraTensors["x"]?.item() == 4)
        let x = RandomGenerator(seed: 3).normalTensor([4, 3, 28, 28])
        let a = try ClassifierInference.logits(model, images: x), b = try ClassifierInference.logits(loaded.model, images: x)
        #expect(a.scalars == b.scalars)
    }

    @Test func aPlainSafetensorsFileIsRejectedWithAHint() throws {
        let url = Self.temporaryFile("plain.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try SafeTensors.write(tensors: [("w", Tensor.zeros([2]))], to: url)
        #expect { try ClassifierCheckpoint.load(from: url) } throws: { "\($0)".contains("kaizen finetune") }
        #expect(throws: KaizenError.self) { try ClassifierCheckpoint.makeModel(architecture: "resnet", classes: 2) }
    }

    @Test func batchedInferenceMatchesOneEvalForwardAndRestoresTheMode() throws {
        let model = try SmallCNN(classes: 4, seed: 2)
        model.train()
        let x = RandomGenerator(seed: 5).normalTensor([7, 3, 12, 12])
        let batched = try ClassifierInference.logits(model, images: x, batchSize: 3)
        #expect(model.trainingMode)
        model.eval()
        let whole = try noGrad { try model(x) }
        #expect(zip(batched.scalars, whole.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(try ClassifierInference.predictions(model, images: x) == whole.argmax(axis: 1))
    }

    @Test func trainerLearnsAToyTaskAndReportsStepTimes() throws {
        let (x, y) = try Self.brightHalfImages(count: 64, seed: 0)
        let model = try SmallCNN(classes: 2, widths: [8, 8], seed: 1)
        var config = TrainingConfiguration()
        config.epochs = 8
        config.batchSize = 16
        config.learningRate = 0.05
        let trainer = ClassifierTrainer(model: model, optimizer: try SGD(parameters: model.trainableParameters(), lr: 0.05, momentum: 0.9), configuration: config)
        var epochsSeen: [Int] = []
        trainer.onEpochEnd = { epochsSeen.append($0.epoch) }
        let history = try trainer.fit(images: x, labels: y)
        #expect(epochsSeen == Array(1...8))
        #expect(history.epochs.last!.meanLoss < history.epochs.first!.meanLoss)
        #expect(history.secondsPerStep > 0)
        let (tx, ty) = try Self.brightHalfImages(count: 32, seed: 9)
        let predicted = try ClassifierInference.predictions(model, images: tx)
        #expect(zip(predicted, ty).filter { $0 == $1 }.count >= 30)
    }

    @Test func resumingFromTheEpochCheckpointContinuesExactlyAsAnUninterruptedRun() throws {
        let (x, y) = try Self.brightHalfImages(count: 24, seed: 4)
        var config = TrainingConfiguration()
        config.epochs = 2
        config.batchSize = 8
        config.learningRate = 0.01
        func makeTrainer(seed: UInt64) throws -> ClassifierTrainer {
            let model = try SmallCNN(classes: 2, widths: [4, 8], seed: seed)
            return ClassifierTrainer(model: model, optimizer: try Adam(parameters: model.trainableParameters(), lr: 0.01), configuration: config)
        }
        let straight = try makeTrainer(seed: 3)
        try straight.fit(images: x, labels: y)

        let url = Self.temporaryFile("resume.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        struct Interrupted: Error {}
        let first = try makeTrainer(seed: 3)
        first.checkpoint = .init(url: url, classes: ["a", "b"], inputSize: 8)
        first.onEpochEnd = { _ in throw Interrupted() }  // the run dies after writing epoch 1
        #expect(throws: Interrupted.self) { try first.fit(images: x, labels: y) }

        let resumed = try makeTrainer(seed: 99)  // different init: everything must come from the file
        try resumed.resume(from: url)
        #expect(resumed.epochsCompleted == 1)
        try resumed.fit(images: x, labels: y)
        for ((name, a), (_, b)) in zip(straight.model.stateDict(), resumed.model.stateDict()) {
            let diff = zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
            #expect(diff < 1e-6, "\(name) differs by \(diff)")
        }
    }

    @Test func frozenBatchNormStatisticsDoNotMove() throws {
        let (x, y) = try Self.brightHalfImages(count: 16, seed: 1)
        let model = try SmallCNN(classes: 2, widths: [4], seed: 0)
        let before = model.namedBuffers().map { $0.1.value.scalars }
        var config = TrainingConfiguration()
        config.epochs = 1
        config.batchSize = 8
        config.freezeBatchNormStatistics = true
        try ClassifierTrainer(model: model, optimizer: try SGD(parameters: model.trainableParameters(), lr: 0.1), configuration: config)
            .fit(images: x, labels: y)
        #expect(model.namedBuffers().map { $0.1.value.scalars } == before)
        #expect(model.parameter(named: "head.weight")!.grad != nil)
    }

    @Test func labelsOutsideTheHeadAreRejected() throws {
        let (x, _) = try Self.brightHalfImages(count: 4, seed: 1)
        let model = try SmallCNN(classes: 2, widths: [4], seed: 0)
        let trainer = ClassifierTrainer(model: model, optimizer: try SGD(parameters: model.trainableParameters(), lr: 0.1), configuration: TrainingConfiguration())
        #expect { try trainer.fit(images: x, labels: [0, 1, 2, 0]) } throws: { "\($0)".contains("label 2") }
    }
}

extension RandomGenerator {
    func normalTensor(_ shape: [Int]) -> Tensor {
        var copy = self
        return copy.normal(shape)
    }
}
