import Foundation
import Testing
@testable import KaizenSelect

/// A Double reference of ActiveFT's loss in which the row factor of G can be frozen separately
/// (emulating the stop-gradient), and the spec's analytic gradient.
private struct ReferenceLoss {
    let f: [[Double]]   // unit rows
    let tau: Double

    static func normalised(_ v: [Double]) -> [Double] {
        let r = max(v.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
        return v.map { $0 / r }
    }

    /// L with c from `theta` and the detached row factor of G from `frozen`.
    func loss(theta: [[Double]], frozen: [[Double]]) -> Double {
        let c = theta.map(ReferenceLoss.normalised), cf = frozen.map(ReferenceLoss.normalised)
        let k = c.count
        let s = (0..<k).map { j in (0..<k).reduce(0.0) { acc, r in acc + exp(zip(cf[r], c[j]).reduce(0) { $0 + $1.0 * $1.1 } / tau) } }
        var total = 0.0
        for fi in f {
            let sims = c.map { zip(fi, $0).reduce(0) { $0 + $1.0 * $1.1 } / tau }
            let p = sims.indices.max { sims[$0] < sims[$1] }!
            total += log(exp(sims[p]) + s[p]) - sims[p]
        }
        return total / Double(f.count)
    }

    /// The spec's gradient formula, through the normalisation.
    func gradient(theta: [[Double]]) -> [[Double]] {
        let c = theta.map(ReferenceLoss.normalised)
        let k = c.count, d = c[0].count, n = Double(f.count)
        let e = (0..<k).map { r in (0..<k).map { j in exp(zip(c[r], c[j]).reduce(0) { $0 + $1.0 * $1.1 } / tau) } }
        let s = (0..<k).map { j in (0..<k).reduce(0.0) { $0 + e[$1][j] } }
        var gc = [[Double]](repeating: [Double](repeating: 0, count: d), count: k)
        for fi in f {
            let sims = c.map { zip(fi, $0).reduce(0) { $0 + $1.0 * $1.1 } / tau }
            let j = sims.indices.max { sims[$0] < sims[$1] }!
            let ea = exp(sims[j])
            for t in 0..<d {
                var spread = 0.0
                for r in 0..<k { spread += e[r][j] * c[r][t] }
                gc[j][t] += (-s[j] / (ea + s[j]) * fi[t] / tau + 1 / (ea + s[j]) / tau * spread) / n
            }
        }
        return (0..<k).map { j in
            let r = max(theta[j].reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
            let dot = zip(gc[j], c[j]).reduce(0) { $0 + $1.0 * $1.1 }
            return (0..<d).map { (gc[j][$0] - dot * c[j][$0]) / r }
        }
    }
}

@Suite struct ActiveFTTests {
    static func smallProblem() -> (f: [[Double]], theta: [[Double]]) {
        var rng = RandomGenerator(seed: 11)
        let f = (0..<40).map { _ in ReferenceLoss.normalised((0..<6).map { _ in rng.nextNormal() }) }
        let theta = (0..<4).map { _ in (0..<6).map { _ in rng.nextNormal() * 0.7 } }
        return (f, theta)
    }

    @Test func analyticGradientMatchesFiniteDifferencesWithStopGradient() {
        let (f, theta) = ActiveFTTests.smallProblem()
        let ref = ReferenceLoss(f: f, tau: 0.07)
        let analytic = ref.gradient(theta: theta)
        let h = 1e-6
        var worst = 0.0
        for j in theta.indices {
            for t in theta[j].indices {
                var plus = theta, minus = theta
                plus[j][t] += h; minus[j][t] -= h
                let numeric = (ref.loss(theta: plus, frozen: theta) - ref.loss(theta: minus, frozen: theta)) / (2 * h)
                worst = max(worst, abs(numeric - analytic[j][t]) / max(1, abs(numeric)))
            }
        }
        #expect(worst < 1e-6, "max relative error \(worst)")
    }

    @Test func productionGradientMatchesTheDoubleReference() throws {
        let (f, theta) = ActiveFTTests.smallProblem()
        let ref = ReferenceLoss(f: f, tau: 0.07)
        let features = try Tensor(shape: [f.count, 6], values: f.flatMap { $0.map(Float.init) })
        let th = try Tensor(shape: [theta.count, 6], values: theta.flatMap { $0.map(Float.init) })
        var model = ActiveFT()
        model.blockRows = 7   // several blocks, one partial
        let (loss, gradient) = model.lossAndGradient(normalisedFeatures: features, theta: th)
        let expectedLoss = ref.loss(theta: theta, frozen: theta)
        #expect(abs(loss - expectedLoss) < 1e-5 * max(1, abs(expectedLoss)))
        let expected = ref.gradient(theta: theta).flatMap { $0 }
        let scale = expected.map(abs).max()!
        let got = gradient.scalars
        let worst = zip(got, expected).map { abs(Double($0) - $1) }.max()!
        #expect(worst < 1e-4 * scale, "max abs error \(worst) at gradient scale \(scale)")
    }

    @Test func goldenRunMatchesTheOfficialCode() throws {
        let features = try Fixture.npyFloat32("features.npy")
        let golden = try Fixture.golden().activeft
        let out = try ActiveFT(steps: golden.steps).select(features: features, initialIds: golden.init_ids)
        for (step, value) in golden.loss_at_step {
            let s = Int(step)!
            #expect(abs(out.losses[s] - value) < 1e-5, "loss at step \(s): \(out.losses[s]) vs \(value)")
        }
        let got = out.centroids.scalars
        let expected = golden.final_centroids_normalised.flatMap { $0 }
        let worst = zip(got, expected).map { abs(Double($0) - $1) }.max()!
        #expect(worst < 1e-5, "centroid deviation \(worst)")
        #expect(out.cores == golden.selected_sorted)
    }

    @Test func lossFallsOverThreeHundredStepsAndCoresAreDistinct() throws {
        var rng = RandomGenerator(seed: 5)
        let features = rng.normal([300, 16])
        let out = try ActiveFT().select(features: features, count: 12, seed: 3)
        #expect(out.losses.count == 300)
        #expect(out.losses.last! < out.losses.first! - 0.1)
        #expect(out.cores.count == 12 && Set(out.cores).count == 12)
        let again = try Parallel.$maxThreads.withValue(1) { try ActiveFT().select(features: features, count: 12, seed: 3) }
        #expect(again.cores == out.cores && again.losses == out.losses)
    }

    /// Pruned rows are summed into the gradient in a different order, so results agree to rounding.
    @Test func boundsSkipWorkWithoutChangingTheResult() throws {
        let features = SelectBenchmarks.clusteredFeatures(n: 3000, d: 24, clusters: 30, noise: 0.8)
        var exact = ActiveFT(steps: 120)
        exact.usesBounds = false
        exact.blockRows = 512
        var pruned = exact
        pruned.usesBounds = true
        let a = try exact.select(features: features, count: 30, seed: 4)
        let b = try pruned.select(features: features, count: 30, seed: 4)
        #expect(zip(a.losses, b.losses).allSatisfy { abs($0 - $1) <= 1e-6 * abs($0) })
        #expect(a.cores == b.cores)
        #expect(zip(a.centroids.scalars, b.centroids.scalars).allSatisfy { abs($0 - $1) < 1e-4 })
        #expect(a.rowsComputed == 3000 * 120)
        #expect(b.rowsComputed < a.rowsComputed / 2, "bounds skipped only \(a.rowsComputed - b.rowsComputed) rows")
    }
}
