import Foundation
import Testing
@testable import KaizenSelect

@Suite struct BiLAFGoldenTests {
    @Test func strictModeReproducesTheOfficialOrderedSelections() throws {
        let features = try Fixture.npyFloat32("features.npy")
        let golden = try Fixture.golden()
        #expect(features.shape == [906, 8])
        for (budgetText, expected) in golden.selections.sorted(by: { Int($0.key)! < Int($1.key)! }) {
            let budget = Int(budgetText)!
            let out = try BiLAF(mode: .strict).select(features: features, cores: golden.cores, budget: budget)
            #expect(out.indices == expected, "budget \(budget)")
        }
    }

    @Test func safeModeMatchesStrictWhenNoEdgeCaseArises() throws {
        // With every class large, safe mode differs only through its budget split; at B = 150 both
        // give each class at least its core and no class overflows, so all picks are distinct.
        let features = try Fixture.npyFloat32("features.npy")
        let golden = try Fixture.golden()
        let out = try BiLAF().select(features: features, cores: golden.cores, budget: 150)
        #expect(out.indices.count == 150)
        #expect(Set(out.indices).count == 150)
        #expect(Set(golden.cores).isSubset(of: Set(out.indices)))
    }
}
