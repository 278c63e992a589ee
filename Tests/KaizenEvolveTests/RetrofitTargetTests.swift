import Foundation
import KaizenNN
import Testing
@testable import KaizenEvolve

/// The retrofit targets: identity candidates leave the model unchanged, extreme candidates give the
/// documented values exactly, and a run through `Evolve.minimize` works on a live model.
@Suite struct RetrofitTargetTests {
    /// conv - bn - relu - conv - bn - pool - linear, in eval mode, with non-trivial running statistics.
    static func model(seed: UInt64 = 0) throws -> Sequential {
        var rng = RandomGenerator(seed: seed)
        let bn1 = BatchNorm2d(4), bn2 = BatchNorm2d(5)
        let m = Sequential(try Conv2d(3, 4, kernel: (3, 3), rng: &rng), bn1, ReLU(), try Conv2d(4, 5, kernel: (3, 3), rng: &rng), bn2,
                           GlobalAvgPool2d(), Linear(5, 3, rng: &rng))
        for bn in [bn1, bn2] {
            let c = bn.numFeatures
            try bn.runningMean.copyValues(from: rng.uniform([c], low: -0.5, high: 0.5))
            try bn.runningVar.copyValues(from: rng.uniform([c], low: 0.5, high: 2))
            try bn.weight?.copyValues(from: rng.uniform([c], low: 0.5, high: 1.5))
        }
        m.eval()
        return m
    }

    static func images(_ n: Int, seed: UInt64, shift: Float = 0) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        let t = rng.uniform([n, 3, 8, 8], low: -1 + shift, high: 1 + 2 * shift)
        return t
    }

    static func identity(_ targetVariables: [Variable]) throws -> Assignment {
        let space = try SearchSpace(targetVariables)
        return try space.decode(space.encoding(discrete: false).initial, discrete: false)
    }

    @Test func batchNormMixingIdentityAndFullTarget() throws {
        let m = try Self.model()
        let x = Self.images(6, seed: 1)
        let before = try m(x).scalars
        let mixing = try BatchNormStatisticsMixing(model: m, scaleAffine: true)
        #expect(mixing.layerNames == ["1", "4"])
        let target = Self.images(40, seed: 2, shift: 0.7)
        try mixing.estimateTargetStatistics(images: target, batchSize: 16) { try m($0) }
        // Estimation leaves the model as it was.
        #expect(try m(x).scalars == before)
        try mixing.apply(try Self.identity(mixing.variables()))
        #expect(try m(x).scalars == before)
        try mixing.apply(mix: [1, 1])
        let bns = m.namedModules().compactMap { $0.1 as? BatchNorm2d }
        for (i, bn) in bns.enumerated() {
            #expect(bn.runningMean.value.scalars == mixing.targetMean?[i])
            #expect(bn.runningVar.value.scalars == mixing.targetVar?[i])
        }
        #expect(try m(x).scalars != before)
        try mixing.restore()
        #expect(try m(x).scalars == before)
    }

    /// The first layer's target statistics are the plain per-channel mean and (unbiased, averaged over
    /// batches) variance of the first convolution's outputs on the target images.
    @Test func targetStatisticsMatchDirectComputation() throws {
        let m = try Self.model()
        let mixing = try BatchNormStatisticsMixing(model: m, layers: ["1"])
        let target = Self.images(20, seed: 3, shift: 0.3)
        try mixing.estimateTargetStatistics(images: target, batchSize: 20) { try m($0) }
        guard let conv = m.layers[0] as? Conv2d else { Issue.record("layer 0 is not a Conv2d"); return }
        let y = try conv(target), s = y.scalars
        let (n, c, hw) = (y.shape[0], y.shape[1], y.shape[2] * y.shape[3])
        for ch in 0..<c {
            var sum = 0.0, sq = 0.0
            for i in 0..<n { for k in 0..<hw { let v = Double(s[(i * c + ch) * hw + k]); sum += v; sq += v * v } }
            let count = Double(n * hw), mean = sum / count
            let variance = (sq - count * mean * mean) / (count - 1)
            #expect(abs(Double(mixing.targetMean?[0][ch] ?? .nan) - mean) < 1e-4 * max(1, abs(mean)))
            #expect(abs(Double(mixing.targetVar?[0][ch] ?? .nan) - variance) < 1e-3 * max(1, variance))
        }
    }

    @Test func weightMultipliers() throws {
        let m = try Self.model()
        let x = Self.images(4, seed: 1)
        let before = try m(x).scalars
        let w = try WeightMultipliers(model: m, parameters: ["6.weight", "6.bias"])
        try w.apply(try Self.identity(w.variables()))
        #expect(try m(x).scalars == before)
        let original = try #require(m.parameter(named: "6.weight")).value.scalars
        try w.apply(multipliers: [2, 1])
        #expect(try #require(m.parameter(named: "6.weight")).value.scalars == original.map { $0 * 2 })
        try w.restore()
        #expect(try m(x).scalars == before)
        #expect(throws: KaizenError.self) { try WeightMultipliers(model: m, parameters: ["nope.weight"]) }
    }

    @Test func checkpointSoup() throws {
        let a = try Self.model(seed: 1), b = try Self.model(seed: 2), c = try Self.model(seed: 3)
        let dicts = [a, b, c].map { Dictionary(uniqueKeysWithValues: $0.stateDict()) }
        let live = try Self.model(seed: 4)
        let x = Self.images(4, seed: 1)
        let before = try live(x).scalars
        let soup = try CheckpointSoup(model: live, checkpoints: dicts)
        try soup.apply(weights: [0, 1, 0])
        #expect(try live(x).scalars == (try b(x).scalars))
        for (name, t) in live.stateDict() { #expect(t.scalars == dicts[1][name]?.scalars, "\(name)") }
        // Equal weights give the mean of the three checkpoints.
        try soup.apply(weights: [0.2, 0.2, 0.2])
        let w = try #require(live.parameter(named: "6.weight")).value.scalars
        let mean = (0..<w.count).map { i in (dicts[0]["6.weight"]!.scalars[i] + dicts[1]["6.weight"]!.scalars[i] + dicts[2]["6.weight"]!.scalars[i]) / 3 }
        for i in 0..<w.count { #expect(abs(w[i] - mean[i]) < 1e-6) }
        try soup.restore()
        #expect(try live(x).scalars == before)
    }

    @Test func temperatureScaling() throws {
        let t = try TemperatureScaling(offsetClasses: 2)
        let identity = try t.decode(try Self.identity(t.variables()))
        #expect(abs(identity.temperature - 1) < 1e-12 && identity.offsets.allSatisfy { abs($0) < 1e-12 })
        let logits: [Float] = [2, 0, -1, 1]
        #expect(try TemperatureScaling.transform(logits, classes: 2, temperature: 2, offsets: [0.5, -0.5]) == [1.5, -0.5, 0, 0])
        let p = try TemperatureScaling.probabilities([0, 0, 1, -1], classes: 2, temperature: 0.5)
        #expect(abs(p[0] - 0.5) < 1e-6 && abs(p[2] - Float(1 / (1 + Foundation.exp(-4.0)))) < 1e-6)
    }

    @Test func decisionThresholds() throws {
        let binary = try DecisionThresholds(rule: .binary)
        #expect(try binary.decode(try Self.identity(binary.variables())).map { abs($0 - 0.5) < 1e-12 } == [true])
        #expect(try binary.predict([0.2, 0.5, 0.7], thresholds: [0.5]) == [0, 1, 1])
        #expect(try binary.predict([0.2, 0.5, 0.7], thresholds: [0.6]) == [0, 0, 1])
        let perClass = try DecisionThresholds(rule: .perClass(classes: 3, fallback: 2))
        let scores: [Float] = [0.6, 0.3, 0.1, 0.4, 0.35, 0.25, 0.2, 0.3, 0.5]
        // Initial thresholds (0) reproduce the argmax.
        let t0 = try perClass.decode(try Self.identity(perClass.variables()))
        #expect(try perClass.predict(scores, thresholds: t0) == [0, 0, 2])
        // Class 0 needs 0.5: row 1 goes to the best class that clears (1); row 2 unchanged.
        #expect(try perClass.predict(scores, thresholds: [0.5, 0, 0]) == [0, 1, 2])
        // Nobody clears in row 1: the fallback class.
        #expect(try perClass.predict(scores, thresholds: [0.5, 0.9, 0.9]) == [0, 2, 2])
        let noFallback = try DecisionThresholds(rule: .perClass(classes: 3, fallback: nil))
        #expect(try noFallback.predict(scores, thresholds: [0.9, 0.9, 0.9]) == [0, 0, 2])
    }

    /// A live run: gamma multipliers of a BN layer and a global mixing weight, searched to make the
    /// model's outputs match those of a model with the target statistics: the loss must drop to ~0.
    @Test func minimizeThroughRetrofitObjective() async throws {
        let m = try Self.model()
        let mixing = try BatchNormStatisticsMixing(model: m, sharing: .global)
        try mixing.estimateTargetStatistics(images: Self.images(32, seed: 5, shift: 0.5), batchSize: 16) { try m($0) }
        let x = Self.images(8, seed: 6)
        try mixing.apply(mix: [0.6, 0.6])
        let wanted = try m(x).scalars
        try mixing.restore()
        let objective = RetrofitObjective(targets: [mixing]) {
            zip(try m(x).scalars, wanted).reduce(0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
        }
        let space = try objective.space()
        let start = try objective.evaluate(try space.decode(space.encoding(discrete: false).initial, discrete: false))
        let result = try await Evolve.minimize(objective.objective, space: space, optimizer: OnePlusOneES(encoding: space.encoding(discrete: false), seed: 0), budget: 60)
        #expect(result.bestLoss < 1e-3 * start, "loss \(start) -> \(result.bestLoss)")
        let mix = try #require(result.assignment?["bn.mix"]?.numeric.first)
        #expect(abs(mix - 0.6) < 0.02)
    }
}

@Suite struct GradientCalibrationTests {
    static func data() -> ([Float], [Int]) {
        var rng = RandomGenerator(seed: 3)
        var logits: [Float] = [], labels: [Int] = []
        for i in 0..<90 {
            let y = i % 3
            for j in 0..<3 { logits.append(Float(3 * rng.nextNormal()) + (j == y ? 2 : 0) + (j == 0 ? 1 : 0)) }
            labels.append(y)
        }
        return (logits, labels)
    }

    @Test func gradientMatchesFiniteDifferences() {
        let (logits, labels) = Self.data()
        let b = [0.3, -0.2, 0.1], logT = 0.4, h = 1e-6
        let g = GradientCalibration.lossAndGradient(logits, 3, labels, logT: logT, offsets: b)
        let dT = (GradientCalibration.lossAndGradient(logits, 3, labels, logT: logT + h, offsets: b).loss
            - GradientCalibration.lossAndGradient(logits, 3, labels, logT: logT - h, offsets: b).loss) / (2 * h)
        #expect(abs(dT - g.dLogT) < 1e-6)
        for j in 0..<3 {
            var up = b, down = b
            up[j] += h; down[j] -= h
            let d = (GradientCalibration.lossAndGradient(logits, 3, labels, logT: logT, offsets: up).loss
                - GradientCalibration.lossAndGradient(logits, 3, labels, logT: logT, offsets: down).loss) / (2 * h)
            #expect(abs(d - g.dOffsets[j]) < 1e-6)
        }
    }

    /// Noisy over-confident logits biased towards class 0: the fit raises T above 1, lowers class 0's
    /// offset relative to the others, and lowers the cross-entropy.
    @Test func fitLowersCrossEntropy() throws {
        let (logits, labels) = Self.data()
        let fit = try GradientCalibration().fit(logits: logits, classes: 3, labels: labels)
        let before = GradientCalibration.lossAndGradient(logits, 3, labels, logT: 0, offsets: [0, 0, 0])
        let after = GradientCalibration.lossAndGradient(logits, 3, labels, logT: Foundation.log(fit.temperature), offsets: fit.offsets)
        #expect(after.loss < before.loss - 0.1, "\(before.loss) -> \(after.loss)")
        #expect(fit.temperature > 1.2)
        #expect(fit.offsets[0] < fit.offsets[1] && fit.offsets[0] < fit.offsets[2])
        #expect(abs(after.dLogT) < 1e-3 && after.dOffsets.allSatisfy { abs($0) < 1e-3 })
    }
}
