import Foundation
import Kaizen

/// Demo of Debias: a small CNN trained on Colored Fashion-MNIST where 99% of each class has its
/// own colour learns the colour shortcut; 16 counter-examples then fix it by change-penalised
/// tuning, compared with early-stopped fine-tuning and a last-layer refit.
enum DebiasStage {
    static func run(_ ctx: DemoContext) throws {
        let trainCount = ctx.quick ? 6000 : 20000, testCount = ctx.quick ? 1000 : 3000, k = 16
        let data = try ColoredFashionMNIST.load(alignedRatio: 0.99, poolPerClass: 20, severity: 4, seed: ctx.seed,
                                                trainSubset: .stratified(trainCount, seed: ctx.seed), testSubset: .stratified(testCount, seed: ctx.seed))
        let base = try SmallCNN(classes: 10, seed: ctx.seed)
        var training = TrainingConfiguration()
        training.epochs = ctx.quick ? 2 : 3
        training.batchSize = 64
        training.learningRate = 0.05
        let trainer = ClassifierTrainer(model: base, optimizer: try SGD(parameters: base.parameters(), lr: 0.05, momentum: 0.9, weightDecay: 5e-4),
                                        configuration: training)
        let bar = ctx.common.quiet ? nil : ProgressBar(label: "debias base model")
        trainer.progress = bar.map { b in { step, total, _ in b.update(step, total) } }
        try trainer.fit(images: data.train.images, labels: data.train.labels)
        let before = try DebiasEvaluation.groupAccuracy(base, split: data.test)
        ctx.log(String(format: "debias: base unbiased %.3f, aligned %.3f, conflicting %.3f", before.unbiased, before.aligned, before.conflicting))

        // K counter-examples, spread over the classes (the pool holds only bias-conflicting images).
        var rng = RandomGenerator(seed: ctx.seed &+ 16)
        var rows: [Int] = []
        for c in 0..<10 {
            let ofClass = data.conflictingPool.labels.indices.filter { data.conflictingPool.labels[$0] == c }
            rows += rng.permutation(ofClass.count).prefix(k / 10 + (c < k % 10 ? 1 : 0)).map { ofClass[$0] }
        }
        let tuneImages = try data.conflictingPool.images.indexSelect(axis: 0, indices: rows)
        let tuneLabels = rows.map { data.conflictingPool.labels[$0] }
        let make = { try SmallCNN(classes: 10, seed: ctx.seed) }
        let methods: [(String, DebiasMethod)] = [
            ("change penalty", .changePenalty(ChangePenaltyConfiguration())),
            ("fine-tuning (same stop)", .fineTuning(FineTuningConfiguration())),
            ("last-layer refit (DFR)", .lastLayerRefit(LastLayerRefitConfiguration())),
        ]
        var results: [String: Any] = ["train_images": data.train.count, "test_images": data.test.count, "aligned_ratio": 0.99, "k": k,
                                      "methods": methods.map(\.0),
                                      "base": ["unbiased": before.unbiased, "worst_group": before.worstGroup, "aligned": before.aligned, "conflicting": before.conflicting]]
        // DFR refits on a group-balanced set: the counter-examples plus as many bias-aligned training images.
        var alignedByClass = [[Int]](repeating: [], count: 10)
        for i in data.train.labels.indices where data.train.biasAligned[i] { alignedByClass[data.train.labels[i]].append(i) }
        let alignedPick = tuneLabels.map { c in alignedByClass[c][rng.nextInt(below: alignedByClass[c].count)] }
        let balancedImages = try Tensor.concat([tuneImages, data.train.images.indexSelect(axis: 0, indices: alignedPick)], axis: 0)
        let balancedLabels = tuneLabels + alignedPick.map { data.train.labels[$0] }
        for (name, method) in methods {
            let dfr = name.contains("DFR")
            let outcome = try Debias.tune(model: base, copy: make, method: method, tuneImages: dfr ? balancedImages : tuneImages,
                                          tuneLabels: dfr ? balancedLabels : tuneLabels)
            let after = try DebiasEvaluation.groupAccuracy(outcome.model, split: data.test)
            ctx.log(String(format: "debias %@: unbiased %.3f, worst %.3f, aligned %.3f, conflicting %.3f (%d steps, %.1f s)", name,
                           after.unbiased, after.worstGroup, after.aligned, after.conflicting, outcome.record.steps, outcome.record.seconds))
            results[name] = ["unbiased": after.unbiased, "worst_group": after.worstGroup, "aligned": after.aligned, "conflicting": after.conflicting,
                             "steps": outcome.record.steps, "seconds": outcome.record.seconds]
        }
        ctx.results["debias"] = results
    }

    static func section(_ r: DemoResults) throws -> HTMLReport.Section {
        let methods = try r["methods"].strings(), k = try r["k"].int(), trainCount = try r["train_images"].int()
        let keys = ["unbiased", "worst_group", "aligned", "conflicting"]
        var table: [[String]] = [["model", "unbiased", "worst group", "bias-aligned", "bias-conflicting", "steps"]]
        var series: [(label: String, values: [Double])] = []
        for (label, entry) in [("base", "base")] + methods.map({ ($0, $0) }) {
            let values = try keys.map { try r[entry][$0].double() }
            let steps = entry == "base" ? "" : "\(try r[entry]["steps"].int())"
            table.append([entry == "base" ? "base (trained on the biased split)" : label] + values.map(DemoFormat.percent) + [steps])
            series.append((label, values))
        }
        let aligned = Int((100 * (try r["aligned_ratio"].double())).rounded())
        let chart = SVGChart.bars(title: "Colored Fashion-MNIST test accuracy after \(k) counter-examples", yLabel: "accuracy",
                                  categories: ["unbiased", "worst group", "bias-aligned", "bias-conflicting"], series: series)
        return .init(
            id: "debias", title: "Debias: remove a shortcut with a few counter-examples",
            summary: "A small CNN is trained from scratch on \(trainCount) Colored Fashion-MNIST images in which \(aligned)% of each class wears its own colour, so it learns the colour as a shortcut: on the colour-balanced test set it is right on bias-aligned images and mostly wrong on the others. \(k) counter-examples (images in another class's colour) then tune it: change-penalised tuning learns a zero-initialised change to every weight with an L1 penalty and stops once all \(k) are right plus 10 steps; fine-tuning uses the same stop; the last-layer refit (DFR) refits only the head. Sweeps over K from 1 to 128 with 5 draws are in BENCHMARKS.md.",
            charts: [chart], table: table)
    }
}
