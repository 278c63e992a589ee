import Dispatch
import Foundation

/// Throughput of the pretrained models on the workloads (the PyTorch side is
/// scripts/bench/models_pytorch.py): EfficientNet-Lite0 inference, one SGD training step, and
/// MiniLM sentence encoding. Each number is the best of `repeats` runs after a warm-up, with
/// `threads` threads for BLAS and the engine's loops.
public enum ModelBenchmarks {
    /// Images per second of eval-mode inference (no gradients) on random images.
    public static func efficientNetInference(_ model: EfficientNetLite0, batch: Int, size: Int, threads: Int,
                                             repeats: Int = 5) throws -> Double {
        var rng = RandomGenerator(seed: 0)
        let x = rng.normal([batch, 3, size, size])
        model.eval()
        let seconds = try pinned(threads) { try best(repeats) { _ = try noGrad { try model(x) } } }
        return Double(batch) / seconds
    }

    /// Images per second of the BatchNorm-folded snapshot (`EfficientNetLite0.inferenceFolded()`).
    public static func efficientNetFoldedInference(_ model: FoldedEfficientNetLite0, batch: Int, size: Int, threads: Int,
                                                   repeats: Int = 5) throws -> Double {
        var rng = RandomGenerator(seed: 0)
        let x = rng.normal([batch, 3, size, size])
        let seconds = try pinned(threads) { try best(repeats) { _ = try model(x) } }
        return Double(batch) / seconds
    }

    /// Milliseconds per training step: forward in train mode (batch statistics), cross-entropy,
    /// backward, SGD with momentum 0.9. The model's weights change.
    public static func efficientNetTrainingStep(_ model: EfficientNetLite0, batch: Int = 64, size: Int = 64,
                                                threads: Int, repeats: Int = 5) throws -> Double {
        var rng = RandomGenerator(seed: 0)
        let x = rng.normal([batch, 3, size, size])
        let targets = (0..<batch).map { _ in rng.nextInt(below: model.fc.outFeatures) }
        model.train()
        defer { model.eval() }
        let optimizer = try SGD(parameters: model.trainableParameters(), lr: 0.01, momentum: 0.9)
        let seconds = try pinned(threads) {
            try best(repeats) {
                optimizer.zeroGrad()
                let loss = try Functional.crossEntropy(model(x), targets: targets)
                try loss.backward()
                try optimizer.step()
            }
        }
        return seconds * 1000
    }

    /// Sentences per second of `sentenceEmbeddings` over `tokenIDs` (one list per sentence, with
    /// [CLS] and [SEP]), batched like sentence-transformers: sorted by length, `batchSize` per batch,
    /// each padded to its longest sentence.
    public static func miniLMEncoding(_ model: BertModel, tokenIDs: [[Int]], batchSize: Int = 32, threads: Int,
                                      repeats: Int = 5) throws -> Double {
        let order = tokenIDs.indices.sorted { tokenIDs[$0].count > tokenIDs[$1].count }
        var batches: [(ids: [[Int]], mask: [[Bool]])] = []
        for start in stride(from: 0, to: order.count, by: batchSize) {
            let members = order[start..<Swift.min(start + batchSize, order.count)].map { tokenIDs[$0] }
            let t = members.map(\.count).max() ?? 0
            batches.append((members.map { $0 + Array(repeating: 0, count: t - $0.count) },
                            members.map { Array(repeating: true, count: $0.count) + Array(repeating: false, count: t - $0.count) }))
        }
        let seconds = try pinned(threads) {
            try best(repeats) {
                try noGrad { for b in batches { _ = try model.sentenceEmbeddings(ids: b.ids, mask: b.mask) } }
            }
        }
        return Double(tokenIDs.count) / seconds
    }

    /// Token ids from a JSON file holding a list of lists of integers.
    public static func loadTokenIDs(_ url: URL) throws -> [[Int]] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw KaizenError.io(file: url.path, location: nil, reason: "cannot read token ids: \(error.localizedDescription)")
        }
        guard let ids = try? JSONDecoder().decode([[Int]].self, from: data) else {
            throw KaizenError.io(file: url.path, location: nil, reason: "expected a JSON list of lists of token ids")
        }
        return ids
    }

    static func pinned<T>(_ threads: Int, _ body: () throws -> T) throws -> T {
        return try Parallel.$maxThreads.withValue(threads) {
            ThreadWarmUp.run()
            return try body()
        }
    }

    /// Best wall time in seconds of `repeats` runs after one warm-up run.
    static func best(_ repeats: Int, _ body: () throws -> Void) throws -> Double {
        try body()
        var bestTime = Double.infinity
        for _ in 0..<Swift.max(repeats, 1) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            bestTime = Swift.min(bestTime, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return bestTime
    }
}
