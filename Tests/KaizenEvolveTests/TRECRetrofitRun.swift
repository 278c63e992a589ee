import Foundation
import KaizenData
import KaizenIO
import KaizenModels
import Testing
@testable import KaizenEvolve

/// AfterLearnER results (b): a linear probe on MiniLM sentence embeddings of TREC coarse (6 classes),
/// trained on a small labelled subset of the training file, retrofitted for macro-F1 on a small
/// validation subset (temperature + per-class logit offsets, gradient-free), against doing nothing
/// and against fitting the same parameters by gradient descent on the validation cross-entropy.
/// Held-out scores are on the 500 TREC_10 questions. Enabled with KAIZEN_EVOLVE_TREC=1 (release build,
/// KAIZEN_ASSETS set); data from KAIZEN_TREC_DIR (default /work/shared/data/trec), embeddings cached
/// under KAIZEN_TREC_CACHE (default /tmp/trec_emb). Sizes: KAIZEN_TREC_TRAIN (100), KAIZEN_TREC_VAL
/// (200), KAIZEN_TREC_BUDGET (200), 5 seeds.
@Test(.enabled(if: ProcessInfo.processInfo.environment["KAIZEN_EVOLVE_TREC"] == "1"))
func trecRetrofitRun() async throws {
    let env = ProcessInfo.processInfo.environment
    let dir = URL(fileURLWithPath: env["KAIZEN_TREC_DIR"] ?? "/work/shared/data/trec")
    let cache = URL(fileURLWithPath: env["KAIZEN_TREC_CACHE"] ?? "/tmp/trec_emb")
    let nTrain = Int(env["KAIZEN_TREC_TRAIN"] ?? "") ?? 100, nVal = Int(env["KAIZEN_TREC_VAL"] ?? "") ?? 200
    let budget = Int(env["KAIZEN_TREC_BUDGET"] ?? "") ?? 200
    try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
    let train = try TREC.load(directory: dir, split: .train), test = try TREC.load(directory: dir, split: .test)
    let classes = Array(Set(train.coarseLabels)).sorted()
    let c = classes.count
    let yTrainAll = train.coarseLabels.map { classes.firstIndex(of: $0) ?? -1 }
    let yTest = test.coarseLabels.map { classes.firstIndex(of: $0) ?? -1 }
    let xTrainAll = try cachedEmbeddings(train.questions, cache.appendingPathComponent("minilm_train.npy"))
    let xTest = try cachedEmbeddings(test.questions, cache.appendingPathComponent("minilm_test.npy"))
    let d = xTrainAll.shape[1]
    print("TREC coarse: \(classes), train pool \(train.questions.count), test \(test.questions.count), d = \(d); labelled \(nTrain), validation \(nVal), budget \(budget)")

    func rows(_ x: Tensor, _ idx: [Int]) throws -> Tensor {
        let all = x.contiguousValues().scalars
        return try Tensor(shape: [idx.count, d], values: idx.flatMap { all[($0 * d)..<(($0 + 1) * d)] })
    }
    @Sendable func macroF1(_ logits: [Float], _ labels: [Int], temperature: Double, offsets: [Double]) throws -> Double {
        let s = try TemperatureScaling.transform(logits, classes: c, temperature: temperature, offsets: offsets)
        let predictions = (0..<labels.count).map { i in (0..<c).max { s[i * c + $0] < s[i * c + $1] } ?? 0 }
        return try ClassificationMetrics(predictions: predictions, labels: labels, classCount: c).macroF1
    }
    var table: [String: [Double]] = [:]
    for seed: UInt64 in 0..<5 {
        var rng = RandomGenerator(seed: 1000 + seed)
        let order = rng.permutation(train.questions.count)
        let trainRows = Array(order[0..<nTrain]), valRows = Array(order[nTrain..<(nTrain + nVal)])
        var probe = LinearProbe(seed: seed)
        try probe.fit(features: try rows(xTrainAll, trainRows), labels: trainRows.map { yTrainAll[$0] }, classCount: c)
        let valLogits = try probe.logits(try rows(xTrainAll, valRows)).contiguousValues().scalars
        let testLogits = try probe.logits(xTest).contiguousValues().scalars
        let yVal = valRows.map { yTrainAll[$0] }
        let zero = [Double](repeating: 0, count: c)

        // AfterLearnER: temperature + offsets for macro-F1 on the validation subset. Offsets in units
        // of the validation logits' spread.
        let spread = standardDeviation(valLogits)
        let target = try TemperatureScaling(offsetClasses: c, offsetRange: 3 * spread)
        let space = try SearchSpace(try target.variables())
        let valCopy = valLogits
        let objective: Evolve.Objective = { a in
            let (t, b) = try target.decode(a)
            return -(try macroF1(valCopy, yVal, temperature: t, offsets: b))
        }
        let optimizer = try AnyOptimizer.make(.auto, space: space, budget: budget, seed: seed)
        let result = try await Evolve.minimize(objective, space: space, optimizer: optimizer, budget: budget)
        let (tBest, bBest) = try target.decode(try #require(result.assignment))
        let grad = try GradientCalibration().fit(logits: valLogits, classes: c, labels: yVal)
        let bound = try OverfittingBound.value(validationSize: nVal, evaluations: result.evaluations)
        let rowsOut: [(String, Double, Double)] = [
            ("none", try macroF1(valLogits, yVal, temperature: 1, offsets: zero), try macroF1(testLogits, yTest, temperature: 1, offsets: zero)),
            ("afterlearner", try macroF1(valLogits, yVal, temperature: tBest, offsets: bBest), try macroF1(testLogits, yTest, temperature: tBest, offsets: bBest)),
            ("gradient", try macroF1(valLogits, yVal, temperature: grad.temperature, offsets: grad.offsets),
             try macroF1(testLogits, yTest, temperature: grad.temperature, offsets: grad.offsets)),
        ]
        for (name, v, t) in rowsOut {
            table["\(name) val", default: []].append(v)
            table["\(name) test", default: []].append(t)
        }
        table["bound", default: []].append(bound)
        print(String(format: "seed %d (%@, %d evals): none val %.3f test %.3f | AfterLearnER val %.3f test %.3f (T %.2f) | gradient val %.3f test %.3f (T %.2f) | bound %.3f",
                     Int(seed), optimizer.kind.rawValue, result.evaluations, rowsOut[0].1, rowsOut[0].2, rowsOut[1].1, rowsOut[1].2, tBest,
                     rowsOut[2].1, rowsOut[2].2, grad.temperature, bound))
    }
    for key in table.keys.sorted() {
        let v = table[key] ?? []
        let mean = v.reduce(0, +) / Double(v.count)
        print(String(format: "%@: mean %.4f std %.4f", key, mean, standardDeviation(v.map { Float($0) })))
    }
}

private func standardDeviation(_ v: [Float]) -> Double {
    let mean = v.reduce(0) { $0 + Double($1) } / Double(max(v.count, 1))
    return (v.reduce(0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(max(v.count, 1))).squareRoot()
}

/// MiniLM sentence embeddings [N, 384], computed once and cached as .npy.
private func cachedEmbeddings(_ texts: [String], _ url: URL) throws -> Tensor {
    if FileManager.default.fileExists(atPath: url.path) {
        let t = try NPY.read(url).floatTensor()
        if t.shape.first == texts.count { return t }
    }
    let model = try BertModel.pretrainedMiniLM()
    let tokenizer = try WordPieceTokenizer(vocabURL: ModelRegistry.file("vocab", of: ModelRegistry.miniLML6))
    let d = model.configuration.hiddenSize
    let out = Tensor(uninitializedShape: [texts.count, d])
    let order = texts.indices.sorted { texts[$0].utf8.count < texts[$1].utf8.count }
    var done = 0
    while done < order.count {
        let batch = Array(order[done..<min(done + 64, order.count)])
        let (ids, mask) = try tokenizer.encodeBatch(batch.map { texts[$0] })
        let emb = try noGrad { try model.sentenceEmbeddings(ids: ids, mask: mask) }.contiguousValues()
        for (k, row) in batch.enumerated() { (out.basePointer + row * d).update(from: emb.basePointer + k * d, count: d) }
        done += batch.count
    }
    try NPY.write(out, to: url)
    return out
}
