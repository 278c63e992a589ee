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

        --projection sparse replaces the dense +-1 matrix with a sparse sign matrix (8 nonzeros per \
        gradient entry): equally accurate in the paper's ablation and in ours, and 160x fewer \
        operations; on EfficientNet-Lite0 the dense projection costs several forward passes.

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
    @OptionGroup var fungi: FUNGIOptions
    @Option(help: "Output .npy (float32 [N, D * (1 + objectives)]).") var out: String
    @OptionGroup var common: CommonOptions

    func run() throws {
        try common.withThreads {
            let start = Date()
            let chosen = try fungi.objectives(isText: inputs.isText)
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
        let texts = try inputs.texts()
        let (config, pool) = try fungi.textSetup(chosen, inputs: inputs, texts: texts, common: common)
        let extractor = try TextGradientFeatures(model: model, tokenizer: tokenizer, configuration: config, negativePool: pool)
        return try extractor.features(texts, progress: common.progress("features"))
    }

    private func imageFeatures(_ chosen: [FUNGIObjective]) throws -> FUNGIFeatureBlocks {
        let (count, batch) = try inputs.imageBatches()
        let extractor = try fungi.imageExtractor(chosen, inputs: inputs, count: count, batch: batch, common: common)
        return try extractor.features(count: count, batch: batch, progress: common.progress("features"))
    }
}
