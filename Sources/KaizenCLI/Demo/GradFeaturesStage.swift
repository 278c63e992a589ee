import Foundation
import Kaizen

/// Demo of GradFeatures: k-NN accuracy with a frozen encoder's embedding alone vs FUNGI features
/// (embedding + projected KL and SimCLR gradients): MiniLM on TREC questions (gradients at the last
/// attention projection) and EfficientNet-Lite0 on Fashion-MNIST (gradients at `_conv_head`).
enum GradFeaturesStage {
    static let k = 20

    static func run(_ ctx: DemoContext) throws {
        var results: [String: Any] = ["datasets": ["trec", "fashion_mnist"], "k": k]
        results["trec"] = try text(ctx)
        results["fashion_mnist"] = try images(ctx)
        ctx.results["gradfeatures"] = results
    }

    /// k-NN top-1 and mean-per-class of the embedding, the KL block alone, and FUNGI.
    static func evaluate(_ tr: FUNGIFeatureBlocks, _ te: FUNGIFeatureBlocks, trainLabels: [Int], testLabels: [Int], classes: Int) throws -> [String: Any] {
        func knn(_ a: Tensor, _ b: Tensor) throws -> (Double, Double) {
            let p = try KNNClassifier(k: k).predict(train: a, trainLabels: trainLabels, test: b, classCount: classes)
            let m = try ClassificationMetrics(predictions: p, labels: testLabels, classCount: classes)
            return (m.accuracy, m.meanPerClassAccuracy)
        }
        let objectives = [FUNGIObjective.kl, .dino, .simclr].filter { tr.blocks[$0] != nil }
        let embedding = try knn(Functional.normalize(tr.embedding, axis: 1), Functional.normalize(te.embedding, axis: 1))
        let kl = try knn(Functional.normalize(tr.blocks[.kl] ?? tr.embedding, axis: 1), Functional.normalize(te.blocks[.kl] ?? te.embedding, axis: 1))
        let fungi = try knn(FUNGIFeatureBlocks.assemble(embedding: tr.embedding, blocks: objectives.compactMap { tr.blocks[$0] }),
                            FUNGIFeatureBlocks.assemble(embedding: te.embedding, blocks: objectives.compactMap { te.blocks[$0] }))
        return ["objectives": objectives.map(\.rawValue),
                "top1": ["embedding": embedding.0, "kl_gradient": kl.0, "fungi": fungi.0],
                "mean_per_class": ["embedding": embedding.1, "kl_gradient": kl.1, "fungi": fungi.1]]
    }

    /// MiniLM on TREC coarse: 1,000 training questions (300 with --quick) -> the 500 test questions.
    static func text(_ ctx: DemoContext) throws -> [String: Any] {
        let candidates = [URL(fileURLWithPath: "../shared/data/trec"), URL(fileURLWithPath: "shared/data/trec")]
        guard let dir = candidates.first(where: { FileManager.default.fileExists(atPath: $0.appendingPathComponent("TREC_10.label").path) }) else {
            return ["name": "TREC coarse", "skipped": "the TREC data set was not found at ../shared/data/trec"]
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
        let start = Date()
        let tr = try extractor.features(trainTexts, progress: ctx.common.progress("FUNGI TREC train"))
        let te = try extractor.features(test.questions, progress: ctx.common.progress("FUNGI TREC test"))
        var r = try evaluate(tr, te, trainLabels: ytr, testLabels: set.encode(test.coarseLabels), classes: set.count)
        r["seconds"] = Date().timeIntervalSince(start)
        r["name"] = "TREC coarse"
        r["encoder"] = "all-MiniLM-L6-v2"
        r["train_size"] = rows.count
        r["test_size"] = test.questions.count
        log(ctx, r)
        return r
    }

    /// EfficientNet-Lite0 on Fashion-MNIST at the demo's resolution: 1,000 training images -> 1,000
    /// test images (300 -> 300 with --quick); SimCLR on a 3x3 grid of half-size patches; the sparse
    /// projection (as accurate as the dense one here, and 131% -> 13% of the forward passes' time).
    static func images(_ ctx: DemoContext) throws -> [String: Any] {
        let nTrain = ctx.quick ? 300 : 1000, nTest = ctx.quick ? 300 : 1000
        let train = try FashionMNIST.load(split: .train, subset: .stratified(nTrain, seed: ctx.seed &+ 21))
        let test = try FashionMNIST.load(split: .test, subset: .stratified(nTest, seed: ctx.seed &+ 22))
        let xtr = try ImagePreparation.prepare(grey: train.images, size: ctx.imageSize)
        let xte = try ImagePreparation.prepare(grey: test.images, size: ctx.imageSize)
        var configuration = ImageFUNGIConfiguration()
        configuration.objectives = [.kl, .simclr]
        configuration.patchGrid = 3
        configuration.projection = .sparse(nonzerosPerColumn: GradientProjection.Kind.defaultNonzeros)
        let extractor = try ImageGradientFeatures(model: EfficientNetLite0.pretrained(), configuration: configuration, negativePool: xtr)
        let start = Date()
        let tr = try extractor.features(xtr, progress: ctx.common.progress("FUNGI Fashion-MNIST train"))
        let te = try extractor.features(xte, progress: ctx.common.progress("FUNGI Fashion-MNIST test"))
        var r = try evaluate(tr, te, trainLabels: train.labels, testLabels: test.labels, classes: 10)
        r["seconds"] = Date().timeIntervalSince(start)
        r["name"] = "Fashion-MNIST"
        r["encoder"] = "EfficientNet-Lite0 (ImageNet), \(ctx.imageSize) px"
        r["projection"] = "sparse, \(GradientProjection.Kind.defaultNonzeros) nonzeros per gradient entry"
        r["train_size"] = nTrain
        r["test_size"] = nTest
        log(ctx, r)
        return r
    }

    static func log(_ ctx: DemoContext, _ r: [String: Any]) {
        let top1 = r["top1"] as? [String: Double] ?? [:]
        ctx.log(String(format: "gradfeatures %@: k-NN embedding %.1f%%, KL gradient %.1f%%, FUNGI %.1f%% (%.0f s)", (r["name"] as? String ?? "") as NSString,
                       100 * (top1["embedding"] ?? 0), 100 * (top1["kl_gradient"] ?? 0), 100 * (top1["fungi"] ?? 0), r["seconds"] as? Double ?? 0))
    }

    static func section(_ r: DemoResults) throws -> HTMLReport.Section {
        let k = try r["k"].int()
        var table: [[String]] = [["data set (encoder)", "train / test", "embedding", "KL gradient", "FUNGI"]]
        var charts: [String] = [], readings: [String] = []
        for key in try r["datasets"].strings() {
            let d = r[key], name = try d["name"].string()
            if d["skipped"].exists {
                readings.append("\(name) was skipped: \(try d["skipped"].string()).")
                continue
            }
            let top1 = try ["embedding", "kl_gradient", "fungi"].map { try d["top1"][$0].double() }
            let perClass = try ["embedding", "kl_gradient", "fungi"].map { try d["mean_per_class"][$0].double() }
            let objectives = try d["objectives"].strings().map { $0 == "kl" ? "KL" : $0 == "simclr" ? "SimCLR" : $0.uppercased() }.joined(separator: " + ")
            let sizes = "\(try d["train_size"].int()) / \(try d["test_size"].int())"
            table.append(["\(name) (\(try d["encoder"].string()))", sizes] + top1.map(DemoFormat.percent))
            charts.append(SVGChart.bars(title: "\(name): k-NN accuracy, k = \(k)", yLabel: "accuracy", categories: ["top-1", "mean per class"],
                                        series: [("embedding", [top1[0], perClass[0]]), ("KL gradient", [top1[1], perClass[1]]),
                                                 ("FUNGI (embedding + \(objectives))", [top1[2], perClass[2]])]))
            let verdict = top1[2] > top1[0] ? "FUNGI beat the embedding, as in the paper" : "the gradients did not add to the embedding, as in our larger runs (BENCHMARKS.md)"
            readings.append("\(name) (\(sizes) examples, \(String(format: "%.0f", try d["seconds"].double())) s of feature extraction): embedding \(DemoFormat.percent(top1[0])), KL gradient alone \(DemoFormat.percent(top1[1])), embedding + \(objectives) \(DemoFormat.percent(top1[2])); \(verdict).")
        }
        return .init(
            id: "gradfeatures", title: "GradFeatures: better features without training",
            summary: "The encoders stay frozen. FUNGI adds to each example's embedding the gradients of self-supervised objectives (KL to uniform; SimCLR on word-deletion views or image patches against a bank of other examples) at one layer (MiniLM's last attention projection, EfficientNet-Lite0's last convolution), each projected to the embedding's size, and k-NN (k = \(k)) classifies the test set by its nearest training examples. " + readings.joined(separator: " "),
            charts: charts, table: table)
    }
}
