import ArgumentParser
import Foundation
import Kaizen

/// `kaizen data`: writes the built-in benchmark datasets as the files the other commands take.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Write built-in benchmark data as .npy images with label files.",
        subcommands: [ColoredFashionMNISTCommand.self]
    )
}

/// `kaizen data colored-fashion-mnist`: the Colored Fashion-MNIST bias benchmark (LfF protocol):
/// a biased training split, a pool of bias-conflicting images for tuning, an unbiased test split.
struct ColoredFashionMNISTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "colored-fashion-mnist",
        abstract: "Colored Fashion-MNIST: biased train, bias-conflicting pool, unbiased test (images, labels, colours).",
        discussion: """
        Writes DIR/{train,pool,test}.npy (float32 [N, 3, S, S]), DIR/{train,pool,test}.txt (class \
        ids 0-9) and DIR/{train,pool,test}_colour.txt (colour ids 0-9; an image is bias-aligned when \
        its colour id equals its class id), ready for `kaizen finetune` and `kaizen debias \
        --eval-bias`.
        Example:
          kaizen data colored-fashion-mnist --aligned-ratio 0.99 --train 10000 \\
              --test 2000 --size 32 --out colored/
        """
    )
    @Option(help: "Fraction of each class's training images in the class's own colour (0.95, 0.98, 0.99, 0.995).") var alignedRatio: Double = 0.99
    @Option(help: "Bias-conflicting images held out per class for tuning.") var poolPerClass: Int = 100
    @Option(help: "Training images drawn (class-stratified) from Fashion-MNIST train, before the pool is held out.") var train: Int = 60000
    @Option(help: "Test images drawn (class-stratified) from Fashion-MNIST test.") var test: Int = 10000
    @Option(help: "Colour-noise severity 1-5 (LfF).") var severity: Int = 4
    @Option(help: "Side length of the written images.") var size: Int = 28
    @Option(help: "imagenet (mean/std normalisation, as for pretrained models) or none (values in [0, 1]).") var normalize: String = "imagenet"
    @Option(help: "Seed of the pool, the colours and the noise.") var seed: UInt64 = 0
    @Option(help: "Output folder.") var out: String
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard alignedRatio > 0, alignedRatio < 1 else { throw ValidationError("--aligned-ratio must be in (0, 1), got \(alignedRatio)") }
        guard ["imagenet", "none"].contains(normalize) else { throw ValidationError("--normalize must be imagenet or none, got '\(normalize)'") }
        guard size >= 8 else { throw ValidationError("--size must be at least 8, got \(size)") }
        guard (1...60000).contains(train), (1...10000).contains(test) else { throw ValidationError("--train must be in 1...60000 and --test in 1...10000") }
        guard poolPerClass >= 0 else { throw ValidationError("--pool-per-class must be >= 0") }
    }

    func run() throws {
        try common.withThreads {
            let data = try ColoredFashionMNIST.load(alignedRatio: alignedRatio, poolPerClass: poolPerClass, severity: severity, seed: seed,
                                                    trainSubset: train == 60000 ? .all : .stratified(train, seed: seed),
                                                    testSubset: test == 10000 ? .all : .stratified(test, seed: seed))
            let dir = URL(fileURLWithPath: out)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            var counts: [String: Int] = [:]
            for (name, split) in [("train", data.train), ("pool", data.conflictingPool), ("test", data.test)] {
                var images = split.images
                if normalize == "imagenet" {
                    images = try ImagePreparation.prepare(rgb: images, size: size)
                } else if size != images.shape[2] {
                    images = try ImageResize.bilinear(images, size: size)
                }
                try NPY.write(images, to: dir.appendingPathComponent("\(name).npy"))
                try AtomicFile.write(Data(split.labels.map { "\($0)\n" }.joined().utf8), to: dir.appendingPathComponent("\(name).txt"))
                try AtomicFile.write(Data(split.colours.map { "\($0)\n" }.joined().utf8), to: dir.appendingPathComponent("\(name)_colour.txt"))
                counts[name] = split.count
                common.log(String(format: "%@: %d images, %.1f%% bias-aligned", name, split.count, 100 * split.alignedFraction))
            }
            if common.json { try JSONOutput.print(["out": out, "counts": counts, "aligned_ratio": alignedRatio, "size": size]) }
        }
    }
}
