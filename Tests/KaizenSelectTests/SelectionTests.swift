import Foundation
import Testing
@testable import KaizenSelect

@Suite struct SelectionTests {
    @Test func budgetParsesCountsAndPercentages() throws {
        #expect(try Budget(parsing: "500").resolve(poolSize: 1000) == 500)
        #expect(try Budget(parsing: "2%").resolve(poolSize: 1000) == 20)
        #expect(try Budget(parsing: "0.5%").resolve(poolSize: 50_000) == 250)
        #expect(try Budget(parsing: "1%").resolve(poolSize: 300) == 3)
        #expect(try Budget(parsing: "0.01%").resolve(poolSize: 100) == 1)
        for bad in ["0", "-3", "abc", "%", "0%", "120%", "1.5"] {
            #expect { try Budget(parsing: bad) } throws: { "\($0)".contains("--budget") }
        }
        #expect { try Budget(parsing: "2000").resolve(poolSize: 1000) } throws: { "\($0)".contains("--budget") }
    }

    @Test func everyMethodReturnsExactlyTheBudgetOfDistinctIds() throws {
        let blobs = try FourBlobs(perBlob: 100)
        for method in SelectionMethod.allCases {
            var options = SelectionOptions()
            options.activeFT.steps = 30
            let out = try Selection.select(features: blobs.features, budget: .count(24), method: method, seed: 1, options: options)
            #expect(out.indices.count == 24, "\(method)")
            #expect(Set(out.indices).count == 24, "\(method)")
            #expect(out.stage.count == 24 && out.scores.count == 24)
            #expect(Set(out.cores).isSubset(of: Set(out.indices)))
        }
    }

    @Test func kCenterGreedyTakesTheFarOutliersFirst() throws {
        let blobs = try FourBlobs(perBlob: 100)
        let picks = Baselines.kCenterGreedy(features: blobs.features, budget: 12, seed: 0)
        #expect(Set(blobs.outliers).isSubset(of: Set(picks.prefix(9))))
    }

    @Test func kMeansFindsEveryBlob() throws {
        let blobs = try FourBlobs(perBlob: 100)
        let features = try blobs.features.narrowed(axis: 0, start: 0, length: 400)
        let picks = Baselines.kMeans(features: features, budget: 4, seed: 3)
        #expect(Set(picks.map { blobs.blob[$0] }) == [0, 1, 2, 3])
        #expect(picks.allSatisfy { blobs.margin($0) > 2 }, "picks sit near the centres")
    }

    @Test func bilafSelectionIsDeterministicAcrossThreadCountsAndEncodesToTheCLILayout() throws {
        let blobs = try FourBlobs(perBlob: 100)
        var options = SelectionOptions(coreCount: 4)
        options.activeFT.steps = 50
        let run = { try Selection.select(features: blobs.features, budget: .percent(5), method: .bilaf, seed: 9, options: options) }
        let two = try Parallel.$maxThreads.withValue(2) { try run() }
        let one = try Parallel.$maxThreads.withValue(1) { try run() }
        #expect(one == two)
        #expect(two.budget == 20 && two.cores.count == 4)
        #expect(two.stage.filter { $0 == .core }.count == 4)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(two)) as? [String: Any]
        #expect(json?["indices"] as? [Int] == two.indices)
        #expect(json?["method"] as? String == "bilaf")
        #expect(json?["budget"] as? Int == 20)
        #expect(json?["cores"] as? [Int] == two.cores)
        let decoded = try JSONDecoder().decode(SelectionResult.self, from: JSONEncoder().encode(two))
        #expect(decoded == two)
    }
}
