import Foundation
import Testing
@testable import KaizenSelect

@Suite struct BiLAFUnitTests {
    @Test func budgetSplitFollowsTheOfficialLeftoverRule() {
        #expect(BudgetSplit.proportional(5, sizes: [10, 6, 4]) == [2, 2, 1])
        #expect(BudgetSplit.proportional(7, sizes: [50, 30, 20]) == [3, 2, 2])
        #expect(BudgetSplit.proportional(3, sizes: [98, 1, 1]) == [2, 1, 0])
    }

    @Test func safeSplitReservesCoresAndCapsAtClassSize() throws {
        // One slot per core, then B - K = 17 over the other members (49, 2, 0).
        #expect(try BudgetSplit.safe(20, sizes: [50, 3, 1]) == [17, 2, 1])
        // A one-member class has no room beyond its core: its leftover unit passes on.
        #expect(BudgetSplit.proportional(3, sizes: [0, 2, 2]) == [1, 1, 1])
        #expect(try BudgetSplit.safe(6, sizes: [1, 3, 3]) == [1, 3, 2])
        #expect(try BudgetSplit.safe(7, sizes: [1, 3, 3]) == [1, 3, 3])
        #expect(throws: KaizenError.self) { try BudgetSplit.safe(2, sizes: [5, 5, 5]) }
        #expect(throws: KaizenError.self) { try BudgetSplit.safe(10, sizes: [3, 3]) }
    }

    @Test func densityDenoisingKeepsTheSpecifiedCount() {
        var rng = RandomGenerator(seed: 2)
        let denoiser = DensityDenoising()
        for n in [1, 5, 9, 10, 11, 37, 99, 100, 253] {
            let points = (0..<n).map { _ in (rng.nextNormal(), rng.nextNormal(), rng.nextNormal()) }
            var dist = [Double](repeating: 0, count: n * n)
            for i in 0..<n {
                for j in 0..<n {
                    let a = points[i], b = points[j]
                    dist[i * n + j] = ((a.0 - b.0) * (a.0 - b.0) + (a.1 - b.1) * (a.1 - b.1) + (a.2 - b.2) * (a.2 - b.2)).squareRoot()
                }
            }
            let kept = dist.withUnsafeBufferPointer { denoiser.keptPositions(distances: $0.baseAddress!, n: n, corePosition: 0) }
            let m = max(1, n / 10)
            let expected = n < 10 ? n : Int((Double(m * (n / m)) * 0.9).rounded(.down))
            #expect(kept.count == expected, "n = \(n)")
            #expect(denoiser.keptCount(n: n) == expected)
            #expect(Set(kept).count == kept.count)
            if n >= 10 { #expect(kept.first == 0, "the core opens ring 1") }
        }
        #expect(denoiser.keptCount(n: 253) == 225)
    }

    @Test func strictModeFailsClearlyWhereTheOfficialCodeCrashes() throws {
        let features = try Fixture.npyFloat32("features.npy")
        let cores = try Fixture.golden().cores
        #expect {
            try BiLAF(mode: .strict).select(features: features, cores: cores, budget: 4)
        } throws: { error in
            "\(error)".contains("pseudo-class") && "\(error)".contains("--budget")
        }
        #expect {
            try BiLAF().select(features: features, cores: cores, budget: 4)
        } throws: { error in "\(error)".contains("--budget") && "\(error)".contains("6 cores") }
    }

    /// Two clusters of 10 points: denoising keeps 9 of each, so B = 20 exceeds what they hold.
    static func twoSmallClusters() throws -> (Tensor, [Int]) {
        var rng = RandomGenerator(seed: 4)
        var values: [Float] = []
        for c in 0..<2 { for _ in 0..<10 { values += [Float(10 * c) + Float(rng.nextNormal()), Float(rng.nextNormal())] } }
        return (try Tensor(shape: [20, 2], values: values), [0, 10])
    }

    @Test func strictModeReproducesOfficialRepeatsWhenABudgetExceedsItsClass() throws {
        let (features, cores) = try BiLAFUnitTests.twoSmallClusters()
        let out = try BiLAF(mode: .strict).select(features: features, cores: cores, budget: 20)
        #expect(out.indices.count == 20)
        #expect(Set(out.indices).count < 20, "b_i > n_i repeats picks, as the official code does")
        #expect(throws: KaizenError.self) { try BiLAF().select(features: features, cores: cores, budget: 20) }
    }

    @Test func safeModeNeverRepeatsEvenWithATinyClass() throws {
        // A core on an isolated point forms a one-member pseudo-class.
        let blobs = try FourBlobs(perBlob: 60)
        let cores = blobs.cores + [blobs.outliers[0]]
        for budget in [5, 30, 120, 200] {
            let out = try BiLAF().select(features: blobs.features, cores: cores, budget: budget)
            #expect(out.indices.count == budget)
            #expect(Set(out.indices).count == budget)
            #expect(Set(cores).isSubset(of: Set(out.indices)))
        }
    }

    @Test func smallPseudoClassesSkipDenoisingAsTheOfficialCodeDoes() throws {
        // A core on an outlier: its pseudo-class has fewer than 10 members, so its outliers stay.
        let blobs = try FourBlobs()
        let cores = blobs.cores + [blobs.outliers[0]]
        let out = try BiLAF(mode: .strict).select(features: blobs.features, cores: cores, budget: 40)
        let c = out.cores.firstIndex(of: blobs.outliers[0])!
        let members = out.pseudoClass.indices.filter { out.pseudoClass[$0] == c }
        #expect(members.count < 10 && members.count > 1)
        #expect(Set(members).isDisjoint(with: out.outliers))
        #expect(out.indices.contains(blobs.outliers[0]))
    }

    @Test func normalisedFlagEqualsRunningOnNormalisedFeatures() throws {
        let features = try Fixture.npyFloat32("features.npy")
        let cores = try Fixture.golden().cores
        var flagged = BiLAF()
        flagged.normaliseFeatures = true
        let a = try flagged.select(features: features, cores: cores, budget: 60)
        let b = try BiLAF().select(features: FeatureMath.l2Normalised(features), cores: cores, budget: 60)
        let raw = try BiLAF().select(features: features, cores: cores, budget: 60)
        #expect(a.indices == b.indices)
        #expect(a.indices != raw.indices)
    }

    @Test func lazyGreedyMappingEqualsTheFullSort() throws {
        var rng = RandomGenerator(seed: 8)
        let n = 200, d = 5, k = 40
        let points = rng.normal([n, d]), centroids = rng.normal([k, d])
        let pp = points.basePointer, pc = centroids.basePointer
        // Reference: every centroid's full descending sort, first untaken sample.
        var taken = Set<Int>(), expected: [Int] = []
        for j in 0..<k {
            let order = (0..<n).sorted {
                let a = Kernels.dot(pp + $0 * d, pc + j * d, d), b = Kernels.dot(pp + $1 * d, pc + j * d, d)
                return a != b ? a > b : $0 < $1
            }
            let pick = order.first { !taken.contains($0) }!
            taken.insert(pick)
            expected.append(pick)
        }
        for candidates in [1, 3, 32] {
            let got = GreedyUniqueMapping.assign(points: pp, n: n, d: d, centroids: pc, k: k, bias: nil,
                                                 candidatesPerCentroid: candidates, blockRows: 64)
            #expect(got == expected, "\(candidates) candidates per centroid")
        }
    }
}
