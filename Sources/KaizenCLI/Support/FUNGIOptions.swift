import ArgumentParser
import Foundation
import Kaizen

/// The FUNGI settings `kaizen features` and `kaizen bench fungi` share: objectives, seed, SimCLR
/// negatives, view geometry and the random projection.
struct FUNGIOptions: ParsableArguments {
    @Option(help: "Comma-separated objectives: kl, dino, simclr (default: kl,dino,simclr for images, kl,simclr for text, as in the paper).")
    var objectives: String?
    @Option(help: "Seed of the random heads, views, negatives sample and projection (use the same for train and test).") var seed: UInt64 = 42
    @Option(help: "SimCLR negatives: a text file (text models) or a float32 .npy [N, 3, H, W] (image models).") var negatives: String?
    @Option(help: "Images: side of the DINO and SimCLR views (default: the input size).") var viewSize: Int?
    @Option(help: "Images: SimCLR patch grid per side (the paper: 7, i.e. 49 half-size patches; 3 is 5x cheaper).") var patchGrid: Int = 7
    @Option(help: "Random projection: dense (the paper's i.i.d. +-1), sparse or sparse:S (S nonzeros per gradient entry; default 8).")
    var projection: String = "dense"

    func validate() throws {
        if let objectives {
            do { _ = try FUNGIObjective.parseList(objectives) } catch { throw ValidationError("\(error)") }
        }
        if let viewSize, viewSize < 8 { throw ValidationError("--view-size must be at least 8, got \(viewSize)") }
        do { _ = try GradientProjection.Kind.parse(projection) } catch { throw ValidationError("\(error)") }
        guard patchGrid >= 2 else { throw ValidationError("--patch-grid must be at least 2, got \(patchGrid)") }
        if let negatives, !FileManager.default.fileExists(atPath: negatives) {
            throw ValidationError("--negatives \(negatives) does not exist; give a text file (text models) or a .npy of images")
        }
    }

    /// The objectives asked for, or the paper's for the modality.
    func objectives(isText: Bool) throws -> [FUNGIObjective] {
        try objectives.map { try FUNGIObjective.parseList($0) } ?? (isText ? [.kl, .simclr] : [.kl, .dino, .simclr])
    }

    /// The text configuration and SimCLR's negative pool (--negatives, else the inputs themselves).
    func textSetup(_ chosen: [FUNGIObjective], inputs: ModelInputs, texts: [String], common: CommonOptions) throws -> (TextFUNGIConfiguration, [String]) {
        var config = TextFUNGIConfiguration()
        config.objectives = chosen
        config.seed = seed
        config.projection = try GradientProjection.Kind.parse(projection)
        config.batchSize = Swift.max(1, Swift.min(inputs.batchSize, 16))
        var pool: [String] = []
        if chosen.contains(.simclr) {
            if let negatives {
                pool = try TextLines.read(URL(fileURLWithPath: negatives))
            } else {
                common.log("SimCLR negatives: a seeded sample of the inputs themselves (pass the training texts as --negatives for test sets)")
                pool = texts
            }
        }
        return (config, pool)
    }

    /// The image extractor with its SimCLR bank already encoded.
    func imageExtractor(_ chosen: [FUNGIObjective], inputs: ModelInputs, count: Int, batch: (Range<Int>) throws -> Tensor,
                        common: CommonOptions) throws -> ImageGradientFeatures {
        let model = try inputs.efficientNet()
        var config = ImageFUNGIConfiguration()
        config.objectives = chosen
        config.seed = seed
        config.projection = try GradientProjection.Kind.parse(projection)
        config.viewSize = viewSize
        config.patchGrid = patchGrid
        config.batchSize = Swift.max(1, Swift.min(inputs.batchSize, 16))
        var pool: Tensor?
        if chosen.contains(.simclr) {
            pool = try negativePool(inputs: inputs, count: count, batch: batch, bankSize: config.simclr.negatives, common: common)
        }
        return try ImageGradientFeatures(model: model, configuration: config, negativePool: pool)
    }

    /// Images for the SimCLR bank: --negatives, else Fashion-MNIST's training split for --data,
    /// else the inputs themselves.
    private func negativePool(inputs: ModelInputs, count: Int, batch: (Range<Int>) throws -> Tensor, bankSize: Int,
                              common: CommonOptions) throws -> Tensor {
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
