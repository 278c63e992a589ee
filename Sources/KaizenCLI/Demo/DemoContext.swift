import Foundation
import Kaizen

/// Shared state of a demo run: settings, the feature cache and the collected results.
final class DemoContext {
    let outputDirectory: URL
    let cacheDirectory: URL
    let seed: UInt64
    let quick: Bool
    let common: CommonOptions
    var results: [String: Any] = [:]

    init(outputDirectory: URL, cacheDirectory: URL, seed: UInt64, quick: Bool, common: CommonOptions) {
        self.outputDirectory = outputDirectory
        self.cacheDirectory = cacheDirectory
        self.seed = seed
        self.quick = quick
        self.common = common
    }

    /// Fashion-MNIST sizes: the pool to select from / train on, and the held-out test images.
    var poolSize: Int { quick ? 2000 : 10000 }
    var testSize: Int { quick ? 1000 : 2000 }
    /// Input resolution for EfficientNet-Lite0 (64 keeps a CPU run to minutes; 28-pixel images gain little above it).
    var imageSize: Int { 64 }

    func log(_ s: String) { common.log(s) }

    /// Loads cached features when their provenance matches, else computes and caches them.
    func cachedFeatures(name: String, provenance: [String: String], compute: () throws -> Tensor) throws -> Tensor {
        let cache = FeatureCache(directory: cacheDirectory)
        if let cached = try cache.lookup(name: name, provenance: provenance) {
            log("\(name): cached features \(Shape.describe(cached.shape))")
            return cached
        }
        let features = try compute()
        try cache.store(features, name: name, provenance: provenance)
        return features
    }

    /// results.json with the settings, and the report drawn from it.
    func writeReport() throws {
        results["settings"] = ["seed": seed, "pool_size": poolSize, "test_size": testSize, "image_size": imageSize, "quick": quick] as [String: Any]
        try DemoReport.write(results: results, to: outputDirectory)
    }
}
