import Foundation
import Testing
@testable import KaizenData

@Suite struct FeatureCacheTests {
    @Test func reusesOnlyMatchingProvenance() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-cache-\(UUID().uuidString)")
        let cache = FeatureCache(directory: dir)
        let a = try Tensor(shape: [2, 2], values: [1, 2, 3, 4])
        var computed = 0
        let p1 = ["model": "m", "transform": "s64"]
        _ = try cache.features(name: "x", provenance: p1) { computed += 1; return a }
        let again = try cache.features(name: "x", provenance: p1) { computed += 1; return a }
        #expect(computed == 1 && again.scalars == a.scalars)
        _ = try cache.features(name: "x", provenance: ["model": "m", "transform": "s224"]) { computed += 1; return a }
        #expect(computed == 2)
        // A missing provenance file (interrupted write) means recompute.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("x.json"))
        #expect(try cache.lookup(name: "x", provenance: p1) == nil)
    }
}
