import Foundation
import Kaizen

/// Demo of GradFeatures: k-NN accuracy on TREC with MiniLM sentence embeddings alone vs FUNGI
/// features (embedding + the projected KL and SimCLR gradients at the last attention projection).
enum GradFeaturesStage {
    static func run(_ ctx: DemoContext) throws {
        let candidates = [URL(fileURLWithPath: "../shared/data/trec"), URL(fileURLWithPath: "shared/data/trec")]
        guard let dir = candidates.first(where: { FileManager.default.fileExists(atPath: $0.appendingPathComponent("TREC_10.label").path) }) else {
            ctx.sections.append(.init(id: "gradfeatures", title: "GradFeatures: better features without training",
                                      summary: "Skipped: the TREC data set was not found at ../shared/data/trec."))
            return
        }
        let train = try TREC.load(directory: dir, split: .train), test = try TREC.load(directory: dir, split: .test)
        var rng = RandomGenerator(seed: ctx.seed &+ 11)
        let rows = Array(rng.permutation(train.questions.count).prefix(ctx.quick ? 300 : 1000)).sorted()
        let trainTexts = rows.map { train.questions[$0] }, trainLabels = rows.map { train.coarseLabels[$0] }
        // Fewer SimCLR views and negatives than the paper (12 and 256) keep the demo to a few minutes.
        var configuration = TextFUNGIConfiguration()
        configuration.simclr.views = 4
        configuration.simclr.negatives = 64
        let extractor = try TextGradientFeatures(model: BertModel.pretrainedMiniLM(),
                                                 tokenizer: WordPieceTokenizer(vocabURL: ModelRegistry.file("vocab", of: ModelRegistry.miniLML6)),
                                                 configuration: configuration, negativePool: trainTexts)
        let (set, ytr) = LabelSet.encode(trainLabels: trainLabels)
        let yte = set.encode(test.coarseLabels)
        let start = Date()
        let tr = try extractor.features(trainTexts, progress: ctx.common.progress("FUNGI train"))
        let te = try extractor.features(test.questions, progress: ctx.common.progress("FUNGI test"))
        let seconds = Date().timeIntervalSince(start)
        func knn(_ a: Tensor, _ b: Tensor) throws -> (Double, Double) {
            let p = try KNNClassifier(k: 20).predict(train: a, trainLabels: ytr, test: b, classCount: set.count)
            let m = try ClassificationMetrics(predictions: p, labels: yte, classCount: set.count)
            return (m.accuracy, m.meanPerClassAccuracy)
        }
        let embedding = try knn(Functional.normalize(tr.embedding, axis: 1), Functional.normalize(te.embedding, axis: 1))
        let klOnly = try knn(Functional.normalize(tr.blocks[.kl] ?? tr.embedding, axis: 1), Functional.normalize(te.blocks[.kl] ?? te.embedding, axis: 1))
        let fungi = try knn(TextGradientFeatures.assemble(embedding: tr.embedding, blocks: [FUNGIObjective.kl, .simclr].compactMap { tr.blocks[$0] }),
                            TextGradientFeatures.assemble(embedding: te.embedding, blocks: [FUNGIObjective.kl, .simclr].compactMap { te.blocks[$0] }))
        ctx.log(String(format: "gradfeatures: TREC coarse k-NN embedding %.1f%%, KL gradients %.1f%%, FUNGI (embedding + KL + SimCLR) %.1f%%", 100 * embedding.0, 100 * klOnly.0, 100 * fungi.0))
        ctx.results["gradfeatures"] = ["dataset": "TREC coarse", "train_size": rows.count, "test_size": yte.count, "k": 20,
                                       "top1": ["embedding": embedding.0, "kl_gradient": klOnly.0, "fungi": fungi.0],
                                       "mean_per_class": ["embedding": embedding.1, "kl_gradient": klOnly.1, "fungi": fungi.1],
                                       "seconds": seconds] as [String: Any]
        let chart = SVGChart.bars(title: "TREC (6 classes): k-NN accuracy, k = 20", yLabel: "accuracy",
                                  categories: ["top-1", "mean per class"],
                                  series: [("embedding", [embedding.0, embedding.1]), ("KL gradient", [klOnly.0, klOnly.1]), ("FUNGI (emb + KL + SimCLR)", [fungi.0, fungi.1])])
        let verdict = fungi.0 > embedding.0 ? "FUNGI beat the embedding here, as in the paper" :
            "here the gradients did not add to the embedding, as in our larger runs (BENCHMARKS.md)"
        ctx.sections.append(.init(
            id: "gradfeatures", title: "GradFeatures: better features without training",
            summary: String(format: "all-MiniLM-L6-v2 stays frozen. For each of %d TREC training questions and the 500 test questions, FUNGI adds the gradients of two self-supervised objectives (KL to uniform, and SimCLR on word-deletion views against a bank of other questions) at the last attention projection, each projected to 384 dimensions, to the sentence embedding (%.0f s on this CPU). k-NN (k = 20) top-1: embedding %.1f%%, KL gradient alone %.1f%%, embedding + KL + SimCLR %.1f%%: %@.",
                             rows.count, seconds, 100 * embedding.0, 100 * klOnly.0, 100 * fungi.0, verdict),
            charts: [chart]))
    }
}
