import Testing
@testable import KaizenEvolve

@Suite struct LogitOffsetRetrofitTests {
    /// A classifier whose logits are biased against class 2: offsets found on validation data must
    /// raise macro-F1 on separate test data drawn the same way, and never lower the validation score.
    @Test func retrofitFixesAClassBiasOnHeldOutData() async throws {
        func data(_ n: Int, seed: UInt64) throws -> (Tensor, [Int]) {
            var rng = RandomGenerator(seed: seed)
            var logits: [Float] = [], labels: [Int] = []
            for i in 0..<n {
                let y = i % 3
                for j in 0..<3 { logits.append(Float(rng.nextNormal()) + (j == y ? 1.5 : 0) - (j == 2 ? 1.5 : 0)) }
                labels.append(y)
            }
            return (try Tensor(shape: [n, 3], values: logits), labels)
        }
        let (val, yv) = try data(300, seed: 1), (test, yt) = try data(3000, seed: 2)
        var config = LogitOffsetRetrofit.Configuration()
        config.budget = 150
        config.optimizer = .onePlusOne
        let report = try await LogitOffsetRetrofit(configuration: config).run(validationLogits: val, validationLabels: yv, testLogits: test, testLabels: yt)
        #expect(report.validationAfter >= report.validationBefore)
        #expect(report.testAfter > report.testBefore + 0.03, "test \(report.testBefore) -> \(report.testAfter)")
        #expect(report.evaluations == 150)
        #expect(Swift.abs(report.overfittingBound - ((Foundation.log(150.0) + Foundation.log(20.0)) / 600).squareRoot()) < 1e-9)
        #expect(report.bestSoFar.count == 150 && report.bestSoFar == report.bestSoFar.sorted())
    }
}
import Foundation
