import ArgumentParser
import Foundation
import Kaizen

/// `kaizen features`: FUNGI features (embedding + projected self-supervised gradients) before PCA.
struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "FUNGI features: [embedding, KL, DINO, SimCLR] blocks (those asked for), each L2-normalised (before PCA).",
        discussion: """
        Images (EfficientNet-Lite0): per-image gradients at _conv_head; text (MiniLM): at the last \
        attention output projection. Every objective's gradient goes through one seeded random +-1 \
        projection to the embedding size. Blocks come out in the order embedding, KL, DINO, SimCLR \
        whatever the order given. Use the same --seed and --negatives for train and test.

        SimCLR negatives (a fixed bank of 256 inputs, sampled with the seed): --negatives (a text \
        file for text, a float32 .npy [N, 3, H, W] for images); without it, the Fashion-MNIST \
        training split for --data, otherwise the inputs themselves (then train and test features use \
        different banks: pass the training inputs as --negatives when embedding a test set).

        Examples:
          kaizen features --model minilm-l6 --text train.txt --objectives kl,simclr \\
              --negatives train.txt --out tr.npy
          kaizen features --model efficientnet-lite0 --images x.npy \\
              --objectives kl,dino,simclr --negatives x.npy --out f.npy
          kaizen features --model efficientnet-lite0 --data fashion-mnist:test \\
              --size 64 --objectives kl,dino,simclr --out te.npy
        """
    )
    @OptionGroup var inputs: ModelInputs
    @Option(help: "Comma-separated objectives: kl, dino, simclr (default: kl,dino,simclr for images, kl,simclr for text, as in the paper).")
    var objectives: String?
    @Option(help: "Seed of the random heads, views, negatives sample and projection (use the same for train and test).") var seed: UInt64 = 42
    @Option(help: "SimCLR negatives: a text file (text models) or a float32 .npy [N, 3, H, W] (image models).") var negatives: String?
    @Option(help: "Images: side of the DINO and SimCLR views (default: the input size).") var viewSize: Int?
    @Option(help: "Images: SimCLR patch grid per side (the paper: 7, i.e. 49 half-size patches; 3 is 5x cheaper).") var patchGrid: Int = 7
    @Option(help: "Output .npy (float32 [N, D * (1 + objectives)]).") var out: String
    @OptionGroup var common: CommonOptions

    func validate() throws {
        if let objectives {
            do { _ = try FUNGIObjective.parseList(objectives) } catch { throw ValidationError("\(error)") }
        }
        if let viewSize, viewSize < 8 { throw ValidationError("--view-size must be at least 8, got \(viewSize)") }
        guard patchGrid >= 2 else { throw ValidationError("--patch-grid must be at least 2, got \(patchGrid)") }
        if let negatives, !FileManager.default.fileExists(atPath: negatives) {
            throw ValidationError("--negatives \(negatives) does not exist; give a text file (text models) or a .npy of images")
        }
    }

    func run() throws {
        try common.withThreads {
            let start = Date()
            let chosen = try objectives.map { try FUNGIObjective.parseList($0) } ?? (inputs.isText ? [.kl, .simclr] : [.kl, .dino, .simclr])
            let blocks = inputs.isText ? try textFeatures(chosen) : try imageFeatures(chosen)
            let assembled = try blocks.assembled()
            try NPY.write(assembled, to: URL(fileURLWithPath: out))
            let seconds = Date().timeIntervalSince(start)
            common.log(String(format: "wrote %@ %@ (embedding, %@) in %.1f s", out, Shape.describe(assembled.shape),
                              chosen.map(\.rawValue).joined(separator: ", "), seconds))
            if common.json {
                try JSONOutput.print(["out": out, "shape": assembled.shape, "objectives": chosen.map(\.rawValue), "seconds": seconds])
            }
        }
    }

    private func textFeatures(_ chosen: [FUNGIObjective]) throws -> FUNGIFeatureBlocks {
        let (model, tokenizer) = try inputs.miniLM()
        var config = TextFUNGIConfiguration()
        config.objectives = chosen
        config.seed = seed
        config.batchSize = Swift.max(1, Swift.min(inputs.batchSize, 16))
        let texts = try inputs.texts()
        var pool: [String] = []
        if chosen.contains(.simclr) {
            if let negatives {
                pool = try TextLines.read(URL(fileURLWithPath: negatives))
            } else {
                common.log("SimCLR negatives: a seeded sample of the inputs themselves (pass the training texts as --negatives for test sets)")
                pool = texts
            }
        }
        let extractor = try TextGradientFeatures(model: model, tokenizer: tokenizer, configuration: config, negativePool: pool)
        return try extractor.features(texts, progress: common.progress("features"))
    }

    private func imageFeatures(_ chosen: [FUNGIObjective]) throws -> FUNGIFeatureBlocks {
        let model = try inputs.efficientNet()
        var config = ImageFUNGIConfiguration()
        config.objectives = chosen
        config.seed = seed
        config.viewSize = viewSize
        config.patchGrid = patchGrid
        config.batchSize = Swift.max(1, Swift.min(inputs.batchSize, 16))
        let (count, batch) = try inputs.imageBatches()
        var pool: Tensor?
        if chosen.contains(.simclr) { pool = try negativePool(count: count, batch: batch, bankSize: config.simclr.negatives) }
        let extractor = try ImageGradientFeatures(model: model, configuration: config, negativePool: pool)
        return try extractor.features(count: count, batch: batch, progress: common.progress("features"))
    }

    /// Images for the SimCLR bank: --negatives, else Fashion-MNIST's training split for --data,
    /// else the inputs themselves.
    private func negativePool(count: Int, batch: (Range<Int>) throws -> Tensor, bankSize: Int) throws -> Tensor {
        if let negatives {
            let x = try NPY.read(URL(fileURLWithPath: negatives)).floatTensor()
            guard x.rank == 4, x.shape[1] == 3, x.shape[0] > 0 else {
                throw KaizenError.shapeMismatch(op: "--negatives", detail: "\(negatives) must hold float32 images [N, 3, H, W], got \(Shape.describe(x.shape))")
            }
            return x
        }
        if inputs.data != nil {
            common.log("SimCLR negatives: \(bankSize) seeded Fashion-MNIST training images")
            let train = try FashionMNIST.load(split: .train)
            var rng = RandomGenerator(seed: CounterHash.mix(seed, 202))
            let rows = try rng.choice(train.count, count: Swift.min(bankSize, train.count)).sorted()
            return try ImagePreparation.prepare(grey: train.images.indexSelect(axis: 0, indices: rows), size: inputs.size)
        }
        common.log("SimCLR negatives: a seeded sample of the inputs themselves (pass the training images as --negatives for test sets)")
        return try batch(0..<count)
    }
}
