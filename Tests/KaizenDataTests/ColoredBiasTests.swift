import Testing
@testable import KaizenData

@Suite struct ColoredBiasTests {
    /// Synthetic grey data: `perClass` images per class (of 10), 1 x 4 x 4, classes interleaved.
    static func grey(perClass: Int, seed: UInt64) throws -> LabeledImages {
        let n = perClass * 10
        var rng = RandomGenerator(seed: seed)
        var values = [Float](repeating: 0, count: n * 16)
        for k in 0..<n { for p in 5..<11 { values[k * 16 + p] = 0.5 + 0.5 * rng.nextFloat() } }  // border stays black
        let labels = (0..<n).map { ($0 * 7) % 10 }
        return try LabeledImages(images: Tensor(shape: [n, 1, 4, 4], values: values), labels: labels,
                                 classNames: (0..<10).map { "c\($0)" })
    }

    static func build(seed: UInt64 = 5, ratio: Double = 0.99) throws -> ColoredBenchmark {
        try ColoredBias.build(train: grey(perClass: 200, seed: 1), test: grey(perClass: 30, seed: 2),
                              alignedRatio: ratio, poolPerClass: 20, seed: seed)
    }

    @Test(arguments: [0.95, 0.98, 0.99, 0.995])
    func trainAlignedRatioIsExactPerClass(_ ratio: Double) throws {
        let b = try Self.build(ratio: ratio)
        #expect(b.train.count == 1800 && b.train.images.shape == [1800, 3, 4, 4])
        for y in 0..<10 {
            let idx = b.train.labels.indices.filter { b.train.labels[$0] == y }
            let aligned = idx.filter { b.train.biasAligned[$0] }.count
            #expect(aligned == Int((Double(idx.count) * ratio).rounded()), "class \(y): \(aligned) of \(idx.count)")
            // The conflicting rest is spread evenly over the other nine colours.
            let counts = (0..<10).filter { $0 != y }.map { c in idx.filter { b.train.colours[$0] == c }.count }
            #expect(counts.max()! - counts.min()! <= 1)
        }
    }

    @Test func testSplitIsUnbiasedAndPoolOnlyConflicting() throws {
        let b = try Self.build()
        for y in 0..<10 {
            let idx = b.test.labels.indices.filter { b.test.labels[$0] == y }
            let counts = (0..<10).map { c in idx.filter { b.test.colours[$0] == c }.count }
            #expect(counts == Array(repeating: 3, count: 10), "class \(y): \(counts)")
        }
        #expect(b.conflictingPool.count == 200)
        #expect(b.conflictingPool.biasAligned.allSatisfy { !$0 })
        #expect((0..<10).allSatisfy { y in b.conflictingPool.labels.filter { $0 == y }.count == 20 })
        // Pool and train are disjoint and together cover the grey training set.
        let all = Set(b.train.sourceIndices).union(b.conflictingPool.sourceIndices)
        #expect(Set(b.train.sourceIndices).isDisjoint(with: b.conflictingPool.sourceIndices) && all.count == 2000)
    }

    @Test func deterministicUnderASeed() throws {
        let a = try Self.build(seed: 9), b = try Self.build(seed: 9), c = try Self.build(seed: 10)
        #expect(a.train.colours == b.train.colours && a.train.images.scalars == b.train.images.scalars)
        #expect(a.conflictingPool.sourceIndices == b.conflictingPool.sourceIndices)
        #expect(a.train.colours != c.train.colours)
    }

    @Test func colouringKeepsBackgroundBlackAndFollowsThePalette() throws {
        let b = try Self.build()
        let s = b.test.images.scalars, greyValues = try Self.grey(perClass: 30, seed: 2).images.scalars
        for k in 0..<b.test.count {
            let colour = ColoredBias.palette[b.test.colours[k]]
            for p in 0..<16 {
                let g = greyValues[b.test.sourceIndices[k] * 16 + p]
                for ch in 0..<3 {
                    let v = s[(k * 3 + ch) * 16 + p]
                    #expect(v >= 0 && v <= 1)
                    if g == 0 { #expect(v == 0) } else { #expect(abs(v / g - colour[ch]) < 0.05) }  // severity 4: sigma 0.005
                }
            }
        }
        #expect(throws: KaizenError.self) { try ColoredBias.noiseStd(severity: 6) }
    }

    @Test func groupAccuracies() throws {
        // Two groups per class 0: aligned (colour 0) all right, conflicting (colour 1) half right.
        let acc = try BiasGroupAccuracy(predictions: [0, 0, 0, 1, 1, 1], labels: [0, 0, 0, 0, 1, 1], colours: [0, 0, 1, 1, 1, 0])
        #expect(acc.aligned == 1.0)                      // samples 0, 1, 4
        #expect(acc.conflicting == 2.0 / 3.0)            // samples 2 (right), 3 (wrong), 5 (right)
        #expect(acc.worstGroup == 0.5)                   // (class 0, colour 1)
        #expect(abs(acc.unbiased - (1 + 0.5 + 1 + 1) / 4) < 1e-12)
        #expect(throws: KaizenError.self) { try BiasGroupAccuracy(predictions: [0], labels: [], colours: []) }
    }
}

@Suite struct ColoredFashionMNISTTests {
    @Test(.enabled(if: FashionMNISTTests.installed)) func buildsFromTheRealDataset() throws {
        let b = try ColoredFashionMNIST.load(alignedRatio: 0.99, poolPerClass: 10, seed: 1,
                                             trainSubset: .stratified(1000, seed: 2), testSubset: .stratified(200, seed: 3))
        #expect(b.train.images.shape == [900, 3, 28, 28] && b.conflictingPool.count == 100 && b.test.count == 200)
        #expect(abs(b.train.alignedFraction - 0.99) < 0.002)
        #expect(abs(b.test.alignedFraction - 0.1) < 1e-9)
    }
}
