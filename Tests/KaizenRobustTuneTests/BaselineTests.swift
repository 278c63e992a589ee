import Foundation
import Testing
import KaizenNN
import KaizenTensor
@testable import KaizenRobustTune

/// TPGM, L2-SP and LP-FT.
@Suite struct BaselineTests {
    /// Trains the golden model with SGD for one step and returns it with the TPGM projection.
    func trainedModel(_ configuration: TPGMConfiguration) throws -> (GoldenTrajectory, Sequential, TPGMProjection, SGD) {
        let golden = try GoldenTrajectory.load()
        let model = try golden.makeModel()
        let tpgm = try TPGMProjection(model: model, configuration: configuration)
        let sgd = try SGD(parameters: model.trainableParameters(), lr: 0.2, momentum: 0.9)
        return (golden, model, tpgm, sgd)
    }

    @Test(arguments: [TPGMConfiguration.Norm.mars, .l2])
    func tpgmProjectsIntoTheLearnedRadius(_ norm: TPGMConfiguration.Norm) throws {
        let (golden, model, tpgm, sgd) = try trainedModel(TPGMConfiguration(norm: norm, maxIterations: 2, excludedNames: GoldenTrajectory.headNames))
        let (xVal, yVal) = try golden.batch(5)
        for s in 0..<3 {
            try golden.step(model, sgd, batch: s)
            let unprojected = tpgm.constrained.map { $0.1.value.copied() }
            try tpgm.project { try Loss.crossEntropy(model(xVal), targets: yVal) }
            #expect(model.trainingMode)
            for ((name, p), before) in zip(tpgm.constrained, unprojected) {
                let st = try #require(tpgm.states[ObjectIdentifier(p)])
                let gamma = try #require(st.radius)
                let c = try before - st.anchor
                let n = tpgm.norms(of: c)
                #expect(n.count == (norm == .l2 || p.shape.count < 2 ? 1 : p.shape[0]), "\(name)")
                #expect(gamma >= 1e-8 && gamma <= (n.max() ?? 0) * (1 + 1e-6), "\(name): gamma \(gamma)")
                // W = W0 + clamp(gamma / n_i, 0, 1) * c_i, row by row.
                let len = p.count / n.count, w = p.value.scalars, w0 = st.anchor.scalars, cs = c.scalars
                var worst: Float = 0
                for (i, ni) in n.enumerated() {
                    let scale = Swift.min(Swift.max(gamma / ni, 0), 1)
                    for j in (i * len)..<((i + 1) * len) { worst = Swift.max(worst, Swift.abs(w[j] - (w0[j] + scale * cs[j]))) }
                }
                #expect(worst <= 1e-6, "\(name): projection off by \(worst)")
                // The constraint holds under the configured norm.
                if norm == .mars {
                    for (normValue, rounding) in deviationNormsWithRounding(p.value, st.anchor) {
                        #expect(normValue <= Double(gamma) * (1 + 1e-6) + rounding, "\(name)")
                    }
                } else {
                    let d = try (p.value - st.anchor).scalars
                    let l2 = d.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
                    #expect(l2 <= Double(gamma) * (1 + 1e-5) + 1e-6, "\(name): ||W - W0|| \(l2) > \(gamma)")
                }
            }
            for (_, p) in model.namedParameters() { #expect(p.grad == nil) }
        }
    }

    @Test func tpgmRadiusGradientMatchesFiniteDifferencesOfTheValidationLoss() throws {
        let configuration = TPGMConfiguration(excludedNames: ["0.weight", "0.bias", "1.weight", "1.bias", "4.bias", "6.weight", "6.bias"])
        let (golden, model, tpgm, sgd) = try trainedModel(configuration)
        #expect(tpgm.constrained.map(\.0) == ["4.weight"])
        let p = tpgm.constrained[0].1
        try golden.step(model, sgd, batch: 0)
        try golden.step(model, sgd, batch: 1)
        let (xVal, yVal) = try golden.batch(5)
        let anchor = try #require(tpgm.states[ObjectIdentifier(p)]?.anchor)
        let trained = p.value.copied()
        let c = try trained - anchor
        let n = tpgm.norms(of: c)
        let gamma0 = (n.min() ?? 0) / 2
        model.eval()
        func validationLoss(_ gamma: Float) throws -> Double {
            let len = p.count / n.count, w0 = anchor.scalars, cs = c.scalars
            var w = [Float](repeating: 0, count: p.count)
            for (i, ni) in n.enumerated() {
                let scale = Swift.min(Swift.max(gamma / ni, 0), 1)
                for j in (i * len)..<((i + 1) * len) { w[j] = w0[j] + scale * cs[j] }
            }
            try p.copyValues(from: Tensor(shape: p.shape, values: w))
            return Double(try noGrad { try Loss.crossEntropy(model(xVal), targets: yVal).item() })
        }
        let eps: Float = 2e-3
        let fd = (try validationLoss(gamma0 + eps) - validationLoss(gamma0 - eps)) / Double(2 * eps)
        _ = try validationLoss(gamma0)
        p.zeroGrad()
        try Loss.crossEntropy(model(xVal), targets: yVal).backward()
        let g = try tpgm.radiusGradient(p.grad, deviation: c, norms: n, radius: gamma0, name: "4.weight")
        #expect(close(Double(g), fd, rel: 2e-2, abs: 2e-4), "dL/dgamma \(g) vs finite difference \(fd)")
        // One projection from the trained weights: gamma0 = min n / 2, then one Adam step of size lr
        // against the sign of the gradient.
        try p.copyValues(from: trained)
        model.train()
        try tpgm.project { try Loss.crossEntropy(model(xVal), targets: yVal) }
        let gamma1 = try #require(tpgm.radius(of: p))
        #expect(close(Double(gamma1), Double(gamma0) - 1e-2 * (fd > 0 ? 1 : -1), rel: 1e-4, abs: 1e-7), "gamma \(gamma0) -> \(gamma1), fd \(fd)")
    }

    @Test func l2spGradientMatchesFiniteDifferences() throws {
        let golden = try GoldenTrajectory.load()
        let model = try golden.makeModel()
        let penalty = try L2SPPenalty(namedParameters: model.namedParameters(), headNames: GoldenTrajectory.headNames, alpha: 0.3, beta: 0.05)
        #expect(penalty.anchored.count == 6 && penalty.head.count == 2)
        #expect(try penalty().item() == 0.05 / 2 * model.namedParameters().filter { GoldenTrajectory.headNames.contains($0.0) }
            .reduce(0) { $0 + $1.1.value.scalars.reduce(0) { $0 + $1 * $1 } })
        // Move the weights away from the anchors, then compare the autograd gradient with central differences.
        var rng = RandomGenerator(seed: 9)
        for (_, p) in model.namedParameters() { try p.copyValues(from: try p.value + rng.normal(p.shape, std: 0.1)) }
        model.zeroGrad()
        try penalty().backward()
        for (name, p) in model.namedParameters() {
            let grad = try #require(p.grad).scalars
            for j in [0, p.count / 2, p.count - 1] {
                let original = p.value.scalars
                func value(_ delta: Float) throws -> Double {
                    var v = original
                    v[j] += delta
                    try p.copyValues(from: Tensor(shape: p.shape, values: v))
                    return Double(try noGrad { try penalty().item() })
                }
                let h: Float = 1e-2
                let fd = (try value(h) - value(-h)) / Double(2 * h)
                try p.copyValues(from: Tensor(shape: p.shape, values: original))
                #expect(close(Double(grad[j]), fd, rel: 1e-2, abs: 1e-3), "\(name)[\(j)]: \(grad[j]) vs \(fd)")
            }
        }
        #expect(throws: KaizenError.self) { try L2SPPenalty(namedParameters: model.namedParameters(), headNames: ["fc.weight"]) }
    }

    @Test func lpftFreezesAllButTheHeadThenEverything() throws {
        let golden = try GoldenTrajectory.load()
        let model = try golden.makeModel()
        let plan = try LinearProbeThenFineTune(headNames: GoldenTrajectory.headNames, probeEpochs: 2, fineTuneEpochs: 3)
        #expect((0..<plan.totalEpochs).map { plan.phase(atEpoch: $0) } == [.linearProbe, .linearProbe, .fineTune, .fineTune, .fineTune])
        try plan.apply(.linearProbe, to: model)
        #expect(model.namedParameters().filter { !$0.1.isFrozen }.map(\.0) == ["6.weight", "6.bias"])
        try plan.apply(.fineTune, to: model)
        #expect(model.trainableParameters().count == 8)
        let bad = try LinearProbeThenFineTune(headNames: ["head.weight"], probeEpochs: 1, fineTuneEpochs: 1)
        #expect(throws: KaizenError.self) { try bad.apply(.linearProbe, to: model) }
        #expect(model.trainableParameters().count == 8)
    }
}
