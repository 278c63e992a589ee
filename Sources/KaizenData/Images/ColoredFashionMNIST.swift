import Foundation

/// Colored Fashion-MNIST (spec/debias.md section 6): Fashion-MNIST through `ColoredBias.build`.
public enum ColoredFashionMNIST {
    /// Loads both splits (optionally a subset of each, e.g. `.stratified(6000, seed:)` for demos)
    /// and builds the biased train split, the conflicting pool and the unbiased test split.
    public static func load(alignedRatio: Double, poolPerClass: Int, severity: Int = 4, seed: UInt64,
                            directory: URL = FashionMNIST.defaultDirectory,
                            trainSubset: LabeledImages.Subset = .all,
                            testSubset: LabeledImages.Subset = .all) throws -> ColoredBenchmark {
        let train = try FashionMNIST.load(split: .train, directory: directory, subset: trainSubset)
        let test = try FashionMNIST.load(split: .test, directory: directory, subset: testSubset)
        return try ColoredBias.build(train: train, test: test, alignedRatio: alignedRatio,
                                     poolPerClass: poolPerClass, severity: severity, seed: seed)
    }
}
