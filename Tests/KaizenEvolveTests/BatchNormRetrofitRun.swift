import Foundation
import KaizenData
import KaizenModels
import Testing
@testable import KaizenEvolve

/// AfterLearnER results (a): BatchNorm statistics mixing of a Fashion-MNIST classifier checkpoint under
/// a corruption. Target statistics are estimated on the (unlabelled) corrupted validation images; the
/// global mixing weight is searched for validation accuracy (labels used only for the score) with a
/// small budget; compared with the source statistics (nothing) and with full re-estimation (weight 1,
/// AdaBN). Held-out: other corrupted test images. Enabled with KAIZEN_EVOLVE_BN=1; checkpoint from
/// KAIZEN_BN_CHECKPOINT (default /work/artifacts/effnet_fmnist_ft.safetensors), corruption
/// KAIZEN_BN_CORRUPTION (gaussian-noise), severity 3, validation sizes KAIZEN_BN_SIZES (100,300,1000),
/// held-out size KAIZEN_BN_TEST (1000), budget KAIZEN_BN_BUDGET (30), seeds KAIZEN_BN_SEEDS (5).
@Test(.enabled(if: ProcessInfo.processInfo.environment["KAIZEN_EVOLVE_BN"] == "1"))
func batchNormRetrofitRun() async throws {
    let env = ProcessInfo.processInfo.environment
    let path = env["KAIZEN_BN_CHECKPOINT"] ?? "/work/artifacts/effnet_fmnist_ft.safetensors"
    // "none": clean images (a check of the checkpoint's statistics themselves).
    let corruptionName = env["KAIZEN_BN_CORRUPTION"] ?? "gaussian-noise"
    let corruption = Corruption(rawValue: corruptionName)
    if corruption == nil { try #require(corruptionName == "none", "unknown corruption \(corruptionName)") }
    let sizes = (env["KAIZEN_BN_SIZES"] ?? "100,300,1000").split(separator: ",").compactMap { Int($0) }
    let nTest = Int(env["KAIZEN_BN_TEST"] ?? "") ?? 1000, budget = Int(env["KAIZEN_BN_BUDGET"] ?? "") ?? 30
    let seeds = UInt64(env["KAIZEN_BN_SEEDS"] ?? "") ?? 5
    let checkpoint = try ClassifierCheckpoint.load(from: URL(fileURLWithPath: path))
    let model = checkpoint.model
    model.eval()
    let set = try FashionMNIST.load(split: .test)
    let n = set.labels.count
    // Labels as indices into the checkpoint's class list.
    let classIndex = set.classNames.map { checkpoint.classes.firstIndex(of: $0) ?? -1 }
    let labels = set.labels.map { classIndex[$0] }
    print("BN retrofit: \(path), input \(checkpoint.inputSize), corruption \(corruptionName) s3, held-out \(nTest), budget \(budget)")

    func prepared(_ rows: [Int], seed: UInt64) throws -> Tensor {
        let x = try ImagePreparation.prepare(grey: try set.images.indexSelect(axis: 0, indices: rows), size: checkpoint.inputSize)
        return try corruption?.applyNormalised(x, severity: 3, seed: seed) ?? x
    }
    func accuracy(_ x: Tensor, _ labels: [Int]) throws -> Double {
        let p = try noGrad { try ClassifierInference.predictions(model, images: x, batchSize: 100) }
        return Double(zip(p, labels).filter { $0 == $1 }.count) / Double(labels.count)
    }
    // KAIZEN_BN_SHARING=per-layer: one weight per BatchNorm layer instead of one global weight.
    let perLayer = env["KAIZEN_BN_SHARING"] == "per-layer"
    let mixing = try BatchNormStatisticsMixing(model: model, sharing: perLayer ? .perLayer : .global)
    print("\(mixing.layerNames.count) BatchNorm layers")
    var summary: [String: [Double]] = [:]
    for nVal in sizes {
        for seed in 0..<seeds {
            var rng = RandomGenerator(seed: 77 + seed)
            let order = rng.permutation(n)
            let valRows = Array(order[0..<nVal]), testRows = Array(order[nVal..<(nVal + nTest)])
            let xVal = try prepared(valRows, seed: seed), xTest = try prepared(testRows, seed: 1000 + seed)
            let yVal = valRows.map { labels[$0] }, yTest = testRows.map { labels[$0] }
            try mixing.restore()
            try mixing.estimateTargetStatistics(images: xVal, batchSize: 50) { x in try noGrad { try model(x) } }
            let noneVal = try accuracy(xVal, yVal), noneTest = try accuracy(xTest, yTest)
            try mixing.apply(mix: Array(repeating: 1, count: mixing.layerNames.count))
            let fullVal = try accuracy(xVal, yVal), fullTest = try accuracy(xTest, yTest)
            let objective = RetrofitObjective(targets: [mixing]) { -(try accuracy(xVal, yVal)) }
            let space = try objective.space()
            let optimizer = try AnyOptimizer.make(.auto, space: space, budget: budget, seed: seed)
            let result = try await Evolve.minimize(objective.objective, space: space, optimizer: optimizer, budget: budget)
            let best = try #require(result.assignment)
            try objective.apply(best)
            let evoVal = try accuracy(xVal, yVal), evoTest = try accuracy(xTest, yTest)
            let mixes = best["bn.mix"]?.numeric ?? []
            let weight = mixes.isEmpty ? .nan : mixes.reduce(0, +) / Double(mixes.count)
            let bound = try OverfittingBound.value(validationSize: nVal, evaluations: result.evaluations)
            try mixing.restore()
            for (k, v) in [("none val", noneVal), ("none test", noneTest), ("full val", fullVal), ("full test", fullTest),
                           ("afterlearner val", evoVal), ("afterlearner test", evoTest), ("weight", weight), ("bound", bound)] {
                summary["n=\(nVal) \(k)", default: []].append(v)
            }
            print(String(format: "n_val %d seed %d: none %.3f/%.3f | full re-estimation %.3f/%.3f | AfterLearnER %.3f/%.3f (mean weight %.3f, %d evals, bound %.3f)  [val/test]",
                         nVal, Int(seed), noneVal, noneTest, fullVal, fullTest, evoVal, evoTest, weight, result.evaluations, bound))
        }
    }
    for key in summary.keys.sorted() {
        let v = summary[key] ?? []
        let mean = v.reduce(0, +) / Double(v.count)
        let sd = (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count)).squareRoot()
        print(String(format: "%@: mean %.4f std %.4f", key, mean, sd))
    }
}
