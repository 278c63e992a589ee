import Foundation
import Testing
import KaizenModels
import KaizenNN
import KaizenTensor
@testable import KaizenRobustTune

/// The method runner on a tiny from-scratch CNN: every method trains, frozen BatchNorm statistics
/// stay frozen (also through TPGM's validation passes), the head is never constrained, and the
/// report is consistent.
@Suite struct RobustFineTuningTests {
    static func data(count: Int, seed: UInt64) throws -> (Tensor, [Int]) {
        var rng = RandomGenerator(seed: seed)
        var values: [Float] = [], labels: [Int] = []
        for i in 0..<count {
            let top = i % 2 == 0
            labels.append(top ? 0 : 1)
            for _ in 0..<3 { for row in 0..<8 { for _ in 0..<8 { values.append(((row < 4) == top ? 1 : -1) + 0.5 * Float(rng.nextNormal())) } } }
        }
        return (try Tensor(shape: [count, 3, 8, 8], values: values), labels)
    }

    @Test(arguments: FineTuneMethod.allCases)
    func methodRunsWithFrozenBatchNormStatistics(method: FineTuneMethod) throws {
        let (x, y) = try Self.data(count: 40, seed: 1)
        let model = try SmallCNN(classes: 2, widths: [4, 8], seed: 0)
        let buffers = model.namedBuffers().map { $0.1.value.scalars }
        var c = RobustFineTuneConfiguration()
        c.method = method
        c.optimizer = .adam
        c.training.epochs = 2
        c.training.batchSize = 8
        c.training.learningRate = 0.01
        let report = try RobustFineTuning.run(model: model, images: x, labels: y, configuration: c, test: (x, y), corruptions: [.contrast])
        #expect(model.namedBuffers().map { $0.1.value.scalars } == buffers, "BatchNorm statistics moved under \(method)")
        #expect(report.history.count == 2)
        #expect(report.trainImages + report.validationImages == 40)
        #expect(report.validationImages == (method == .tpgm ? 4 : 0))
        let e = try #require(report.evaluation)
        #expect(e.perShift.keys.sorted() == ["contrast"])
        #expect(model.trainableParameters().count == model.parameters().count)  // LP-FT unfreezes at the end
    }

    @Test func holdOutIsADisjointCoverOfTheImages() throws {
        let (x, y) = try Self.data(count: 10, seed: 2)
        let split = try RobustFineTuning.holdOut(images: x, labels: y, fraction: 0.3, seed: 5)
        #expect(split.validation.labels.count == 3 && split.train.labels.count == 7)
        var seen = Set<[Float]>()
        for t in [split.train.images, split.validation.images] {
            for i in 0..<t.shape[0] { seen.insert(try t.narrowed(axis: 0, start: i, length: 1).contiguousValues().scalars) }
        }
        #expect(seen.count == 10)
        #expect(throws: KaizenError.self) { try RobustFineTuning.holdOut(images: x, labels: y, fraction: 1, seed: 0) }
    }
}
