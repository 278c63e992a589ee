import ArgumentParser
import Foundation
import Kaizen

/// `kaizen features`: FUNGI features (embedding + projected self-supervised gradients) before PCA.
struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "FUNGI features: [embedding, KL, (DINO), (SimCLR)] blocks, each L2-normalised (before PCA).",
        discussion: """
        This release computes the KL objective for text (MiniLM); SimCLR, DINO and image encoders follow.
        Example:
          kaizen features --model minilm-l6 --text questions.txt --objectives kl --seed 0 --out q_fungi.npy
        """
    )
    @OptionGroup var inputs: ModelInputs
    @Option(help: "Comma-separated objectives: kl, dino, simclr.") var objectives: String = "kl"
    @Option(help: "Seed of the random heads and the projection (use the same for train and test).") var seed: UInt64 = 42
    @Option(help: "Negatives for SimCLR (not used by KL).") var negatives: String?
    @Option(help: "Output .npy (float32 [N, D * (1 + objectives)]).") var out: String
    @OptionGroup var common: CommonOptions

    func validate() throws {
        for o in objectives.split(separator: ",") where FUNGIObjective(rawValue: String(o)) == nil {
            throw ValidationError("unknown objective '\(o)' in --objectives; expected kl, dino or simclr")
        }
    }

    func run() throws {
        try common.withThreads {
            guard inputs.isText else {
                throw KaizenError.invalidArgument(name: "--model", detail: "FUNGI features for images are not implemented yet; this release supports text (--model minilm-l6 with --text or --csv)")
            }
            let (model, tokenizer) = try inputs.miniLM()
            var config = TextFUNGIConfiguration()
            config.objectives = objectives.split(separator: ",").compactMap { FUNGIObjective(rawValue: String($0)) }
            config.seed = seed
            config.batchSize = inputs.batchSize
            let extractor = try TextGradientFeatures(model: model, tokenizer: tokenizer, configuration: config)
            let start = Date()
            let (embedding, blocks) = try extractor.features(try inputs.texts(), progress: common.progress("features"))
            let assembled = try TextGradientFeatures.assemble(embedding: embedding, blocks: config.objectives.compactMap { blocks[$0] })
            try NPY.write(assembled, to: URL(fileURLWithPath: out))
            common.log(String(format: "wrote %@ %@ in %.1f s", out, Shape.describe(assembled.shape), Date().timeIntervalSince(start)))
            if common.json { try JSONOutput.print(["out": out, "shape": assembled.shape, "objectives": config.objectives.map(\.rawValue)]) }
        }
    }
}
