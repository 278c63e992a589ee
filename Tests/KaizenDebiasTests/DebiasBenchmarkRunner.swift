import Foundation
import Testing
import KaizenData
import KaizenModels
@testable import KaizenDebias

/// The few-sample debiasing benchmark on Colored Fashion-MNIST (spec/debias.md §6), run only when
/// KAIZEN_DEBIAS_BENCH is set (release build:
/// `KAIZEN_DEBIAS_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter DebiasBenchmarkRunner`).
/// Trains a SmallCNN on the ρ = 0.99 split (cached as a checkpoint), then for each K and draw tunes
/// it with every method on K images from the conflicting pool and writes all results as JSON.
/// Environment: KAIZEN_DEBIAS_BENCH_OUT (default /tmp/kaizen-debias-bench.json), _KS (default
/// "1,2,4,8,16,32,64,128"), _DRAWS (5), _METHODS (substrings of method labels), _TRAIN (train
/// subset, 30000), _TEST (test subset, 5000), _EPOCHS (4), _BASE (checkpoint path), _POOL (per class, 100).
@Suite(.serialized) struct DebiasBenchmarkRunner {
    struct Accuracy: Codable {
        var overall: Double, unbiased: Double, worstGroup: Double, aligned: Double, conflicting: Double
        init(_ a: BiasGroupAccuracy) {
            overall = a.overall; unbiased = a.unbiased; worstGroup = a.worstGroup; aligned = a.aligned; conflicting = a.conflicting
        }
    }

    struct Run: Codable {
        var method: String, k: Int, draw: Int
        var test: Accuracy
        var steps: Int, firstFullyCorrectStep: Int?, stoppedEarly: Bool, seconds: Double, tuningAccuracy: Double
    }

    struct Report: Codable {
        var setup: [String: String]
        var base: Accuracy
        var baseTrain: Accuracy
        var baseTrainingSeconds: Double
        var masImportanceSeconds: Double
        var runs: [Run]
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["KAIZEN_DEBIAS_BENCH"] != nil))
    func runBenchmark() throws {
        let env = ProcessInfo.processInfo.environment
        func int(_ key: String, _ fallback: Int) -> Int { Int(env["KAIZEN_DEBIAS_BENCH_" + key] ?? "") ?? fallback }
        let ks = (env["KAIZEN_DEBIAS_BENCH_KS"] ?? "1,2,4,8,16,32,64,128").split(separator: ",").compactMap { Int($0) }
        let draws = int("DRAWS", 5), trainCount = int("TRAIN", 30000), testCount = int("TEST", 5000)
        let epochs = int("EPOCHS", 4), pool = int("POOL", 100)
        let only = env["KAIZEN_DEBIAS_BENCH_METHODS"]?.split(separator: ",").map(String.init)
        let out = URL(fileURLWithPath: env["KAIZEN_DEBIAS_BENCH_OUT"] ?? "/tmp/kaizen-debias-bench.json")
        let baseURL = URL(fileURLWithPath: env["KAIZEN_DEBIAS_BENCH_BASE"] ?? "/tmp/kaizen-debias-base-\(trainCount)-\(epochs).safetensors")

        let data = try ColoredFashionMNIST.load(alignedRatio: 0.99, poolPerClass: pool, severity: 4, seed: 0,
                                                trainSubset: .stratified(trainCount, seed: 0), testSubset: .stratified(testCount, seed: 0))
        print("BENCH data: train \(data.train.count) (aligned \(data.train.alignedFraction)), pool \(data.conflictingPool.count), test \(data.test.count)")
        let makeModel = { try SmallCNN(classes: 10, seed: 0) }

        // Base model: trained on the biased split, cached.
        var trainingSeconds = 0.0
        let base: SmallCNN
        if FileManager.default.fileExists(atPath: baseURL.path), let cached = try ClassifierCheckpoint.load(from: baseURL).model as? SmallCNN {
            base = cached
        } else {
            base = try makeModel()
            var configuration = TrainingConfiguration()
            configuration.epochs = epochs
            configuration.batchSize = 64
            configuration.learningRate = 0.05
            configuration.horizontalFlip = true
            let trainer = ClassifierTrainer(model: base, optimizer: try SGD(parameters: base.parameters(), lr: 0.05, momentum: 0.9, weightDecay: 5e-4),
                                            configuration: configuration)
            let clock = Date()
            trainer.onEpochEnd = { print("BENCH base epoch \($0.epoch): loss \($0.meanLoss), train acc \($0.trainAccuracy), \($0.seconds) s") }
            try trainer.fit(images: data.train.images, labels: data.train.labels)
            trainingSeconds = Date().timeIntervalSince(clock)
            try ClassifierCheckpoint(model: base, classes: data.train.classNames, inputSize: 28).save(to: baseURL)
        }
        base.eval()
        let baseTest = try DebiasEvaluation.groupAccuracy(base, split: data.test)
        let trainProbe = try subset(data.train, Array(stride(from: 0, to: data.train.count, by: max(1, data.train.count / 5000))))
        let baseTrain = try DebiasEvaluation.groupAccuracy(base, images: trainProbe.images, labels: trainProbe.labels, colours: trainProbe.colours)
        print("BENCH base test: unbiased \(baseTest.unbiased) worst \(baseTest.worstGroup) aligned \(baseTest.aligned) conflicting \(baseTest.conflicting); train aligned \(baseTrain.aligned) conflicting \(baseTrain.conflicting)")

        // MAS importances once, from 1000 unlabeled training images.
        let masClock = Date()
        let omega = try MemoryAwareSynapses.importances(model: try ModelCopy.copy(base, using: makeModel),
                                                        images: try data.train.images.narrowed(axis: 0, start: 0, length: 1000).contiguous(), batchSize: 1)
        let masSeconds = Date().timeIntervalSince(masClock)

        let schedule = TuningSchedule()
        let noStop = TuningSchedule(earlyStopDelay: nil)
        let methods: [(String, DebiasMethod)] = [
            ("change-penalty", .changePenalty(ChangePenaltyConfiguration())),
            ("fine-tuning+stop", .fineTuning(FineTuningConfiguration(schedule: schedule))),
            ("fine-tuning", .fineTuning(FineTuningConfiguration(schedule: noStop))),
            ("side-tuning", .sideTuning(SideTuningConfiguration())),
            ("mas", .memoryAwareSynapses(MASConfiguration(), importances: .precomputed(omega))),
            ("dfr", .lastLayerRefit(LastLayerRefitConfiguration())),
        ].filter { m in only.map { $0.contains { m.0.contains($0) } } ?? true }

        var runs: [Run] = []
        for k in ks {
            for draw in 0..<draws {
                let seed = UInt64(k * 1000 + draw)
                let conflicting = stratifiedDraw(data.conflictingPool.labels, count: k, seed: seed)
                let tune = try subset(data.conflictingPool, conflicting)
                for (label, method) in methods {
                    var images = tune.images, labels = tune.labels
                    if label == "dfr" {
                        // DFR refits on a set balanced between bias-conflicting and bias-aligned images.
                        let alignedRows = data.train.labels.indices.filter { data.train.biasAligned[$0] }
                        let picked = stratifiedDraw(alignedRows.map { data.train.labels[$0] }, count: k, seed: seed + 7).map { alignedRows[$0] }
                        let aligned = try subset(data.train, picked)
                        images = try Tensor.concat([tune.images, aligned.images], axis: 0)
                        labels = tune.labels + aligned.labels
                    }
                    let outcome = try Debias.tune(model: base, copy: makeModel, method: method, tuneImages: images, tuneLabels: labels)
                    let acc = try DebiasEvaluation.groupAccuracy(outcome.model, split: data.test)
                    let r = outcome.record
                    runs.append(Run(method: label, k: k, draw: draw, test: Accuracy(acc), steps: r.steps, firstFullyCorrectStep: r.firstFullyCorrectStep,
                                    stoppedEarly: r.stoppedEarly, seconds: r.seconds, tuningAccuracy: r.finalTuningAccuracy))
                    print(String(format: "BENCH K=%d draw=%d %@: unbiased %.4f worst %.4f aligned %.4f conflicting %.4f steps %d t* %@ %.2f s",
                                 k, draw, label, acc.unbiased, acc.worstGroup, acc.aligned, acc.conflicting, r.steps,
                                 r.firstFullyCorrectStep.map(String.init) ?? "-", r.seconds))
                }
                let report = Report(setup: ["alignedRatio": "0.99", "train": "\(data.train.count)", "test": "\(data.test.count)",
                                            "pool": "\(data.conflictingPool.count)", "epochs": "\(epochs)", "draws": "\(draws)",
                                            "defaults": "Adam lr 1e-4, ε 10, cap 500, λ1 1e-3 (change penalty), α 0.5 (side), λ 1 (MAS)"],
                                    base: Accuracy(baseTest), baseTrain: Accuracy(baseTrain), baseTrainingSeconds: trainingSeconds,
                                    masImportanceSeconds: masSeconds, runs: runs)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try encoder.encode(report).write(to: out, options: .atomic)
            }
            for (label, _) in methods {
                let rows = runs.filter { $0.k == k && $0.method == label }
                guard !rows.isEmpty else { continue }
                func mean(_ f: (Run) -> Double) -> Double { rows.map(f).reduce(0, +) / Double(rows.count) }
                print(String(format: "BENCH SUMMARY K=%d %@: unbiased %.4f worst %.4f aligned %.4f conflicting %.4f steps %.1f time %.2f s",
                             k, label, mean { $0.test.unbiased }, mean { $0.test.worstGroup }, mean { $0.test.aligned },
                             mean { $0.test.conflicting }, mean { Double($0.steps) }, mean { $0.seconds }))
            }
        }
    }

    /// `count` rows spread over the classes as evenly as possible, chosen at random within each class.
    func stratifiedDraw(_ labels: [Int], count: Int, seed: UInt64) -> [Int] {
        var rng = RandomGenerator(seed: seed)
        var byClass: [Int: [Int]] = [:]
        for (i, y) in labels.enumerated() { byClass[y, default: []].append(i) }
        var queues = byClass.keys.sorted().map { key -> [Int] in
            let members = byClass[key] ?? []
            return rng.permutation(members.count).map { members[$0] }
        }
        let classOrder = rng.permutation(queues.count)
        var picked: [Int] = []
        var round = 0
        while picked.count < count && queues.contains(where: { round < $0.count }) {
            for c in classOrder where picked.count < count && round < queues[c].count { picked.append(queues[c][round]) }
            round += 1
        }
        queues.removeAll()
        return picked.sorted()
    }

    func subset(_ split: ColoredSplit, _ rows: [Int]) throws -> (images: Tensor, labels: [Int], colours: [Int]) {
        (try split.images.indexSelect(axis: 0, indices: rows), rows.map { split.labels[$0] }, rows.map { split.colours[$0] })
    }
}
