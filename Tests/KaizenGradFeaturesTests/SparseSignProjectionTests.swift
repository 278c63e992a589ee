import Foundation
import Testing
@testable import KaizenGradFeatures

@Suite struct SparseSignProjectionTests {
    @Test func columnsHoldDistinctSignedEntriesAndProjectionMatchesTheMatrix() throws {
        let n = 700, d = 96, s = 4
        let p = try SparseSignProjection(seed: 3, inputDimension: n, outputDimension: d, nonzerosPerColumn: s)
        #expect(try SparseSignProjection(seed: 3, inputDimension: n, outputDimension: d, nonzerosPerColumn: s).codes == p.codes)
        #expect(try SparseSignProjection(seed: 4, inputDimension: n, outputDimension: d, nonzerosPerColumn: s).codes != p.codes)
        var dense = [Float](repeating: 0, count: d * n), positives = 0
        for c in 0..<n {
            var rows = Set<Int>()
            for r in 0..<d {
                let e = p.entry(row: r, column: c)
                dense[r * n + c] = e
                if e != 0 { rows.insert(r); #expect(Swift.abs(Swift.abs(e) - 0.5) < 1e-7); if e > 0 { positives += 1 } }
            }
            #expect(rows.count == s, "column \(c) must hold exactly \(s) nonzeros")
        }
        #expect(Swift.abs(Double(positives) / Double(n * s) - 0.5) < 0.05)
        // Batches of 1, 5 and 37 rows (threads split the rows) equal x R^T.
        var rng = RandomGenerator(seed: 8)
        for b in [1, 5, 37] {
            let x = rng.normal([b, n]), y = try p.project(x)
            #expect(y.shape == [b, d])
            let xv = x.scalars, yv = y.scalars
            for i in 0..<b { for r in 0..<d {
                var want: Float = 0
                for c in 0..<n { want += dense[r * n + c] * xv[i * n + c] }
                #expect(Swift.abs(yv[i * d + r] - want) < 1e-4, "row \(i), output \(r)")
            } }
        }
    }

    @Test func preservesCosinesLikeADenseProjection() throws {
        let p = try SparseSignProjection(seed: 1, inputDimension: 20_000, outputDimension: 256, nonzerosPerColumn: 8)
        var rng = RandomGenerator(seed: 2)
        // Correlated rows, so the cosines are far from zero.
        let base = rng.normal([1, 20_000])
        let x = try base + rng.normal([6, 20_000]) * 0.8
        let y = try p.project(x)
        for i in 0..<6 { for j in (i + 1)..<6 {
            #expect(Swift.abs(RandomSignProjectionTests.cosine(y, i, j) - RandomSignProjectionTests.cosine(x, i, j)) < 3 / Float(256).squareRoot())
        } }
    }

    /// Projecting from the factors g, a equals projecting the formed gradients sum_t g_t a_t^T,
    /// with and without the bias column, for batches that fill 8 lanes partly, fully and twice.
    @Test func projectionFromFactorsEqualsProjectionOfTheGradients() throws {
        var rng = RandomGenerator(seed: 11)
        for (includeBias, b, t) in [(false, 1, 1), (true, 5, 3), (false, 17, 4)] {
            let o = 12, i = 7, cols = i + (includeBias ? 1 : 0)
            let p = try SparseSignProjection(seed: 2, inputDimension: o * cols, outputDimension: 10, nonzerosPerColumn: 3)
            let g = rng.normal([b, t, o]), a = rng.normal([b, t, i])
            let formed = try PerSampleGradients.linear(input: a, outputGradient: g, includeBias: includeBias).reshaped([b, -1])
            let want = try p.project(formed).scalars, got = try p.projectOuterProducts(outputGradient: g, input: a, includeBias: includeBias)
            #expect(got.shape == [b, 10])
            #expect(zip(want, got.scalars).allSatisfy { Swift.abs($0 - $1) < 1e-4 }, "bias \(includeBias), B \(b), T \(t)")
        }
        let p = try SparseSignProjection(seed: 2, inputDimension: 12 * 7, outputDimension: 10, nonzerosPerColumn: 3)
        #expect(throws: KaizenError.self) { _ = try p.projectOuterProducts(outputGradient: rng.normal([2, 3, 12]), input: rng.normal([2, 3, 7]), includeBias: true) }
    }

    @Test func parsesKindsAndRejectsBadOnes() throws {
        #expect(try GradientProjection.Kind.parse("dense") == .dense)
        #expect(try GradientProjection.Kind.parse("sparse") == .sparse(nonzerosPerColumn: 8))
        #expect(try GradientProjection.Kind.parse("Sparse:3") == .sparse(nonzerosPerColumn: 3))
        for bad in ["sparse:0", "sparse:x", "gaussian", "dense:2", ""] {
            #expect(throws: KaizenError.self, "\(bad)") { _ = try GradientProjection.Kind.parse(bad) }
        }
        #expect(throws: KaizenError.self) { _ = try SparseSignProjection(seed: 1, inputDimension: 10, outputDimension: 4, nonzerosPerColumn: 5) }
        let p = try SparseSignProjection(seed: 1, inputDimension: 10, outputDimension: 4, nonzerosPerColumn: 2)
        #expect(throws: KaizenError.self) { _ = try p.project(Tensor(shape: [2, 9], repeating: 1)) }
    }
}
