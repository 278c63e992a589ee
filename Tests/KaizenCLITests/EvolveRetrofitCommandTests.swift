import Foundation
import Testing

/// `kaizen evolve --model`: retrofitting a classifier checkpoint on a validation set. The report has
/// validation and held-out scores, the search never makes validation worse, the written checkpoint
/// scores on held-out data what the report says, and bad combinations are usage errors.
@Suite struct EvolveRetrofitCommandTests {
    /// A small CNN trained for one short epoch (so there is something left to retrofit).
    static func checkpoint(in dir: URL) throws -> (ckpt: String, val: (images: String, labels: String), test: (images: String, labels: String)) {
        let train = try FinetuneEvalCommandTests.writeImages(count: 32, seed: 11, dir: dir, name: "train")
        let val = try FinetuneEvalCommandTests.writeImages(count: 40, seed: 12, dir: dir, name: "val")
        let test = try FinetuneEvalCommandTests.writeImages(count: 40, seed: 13, dir: dir, name: "test")
        let ckpt = dir.appendingPathComponent("m.safetensors").path
        let r = try CLIRunner.run(["finetune", "--model", "small-cnn", "--images", train.images, "--labels", train.labels, "--method", "ft",
                                   "--optimizer", "adam", "--lr", "0.003", "--epochs", "1", "--batch-size", "16", "--out", ckpt, "--quiet"])
        try #require(r.status == 0, "\(r.stderr)")
        return (ckpt, val, test)
    }

    @Test(arguments: ["logit-offsets", "batchnorm-mix"])
    func retrofitReportsBothScoresAndWritesACheckpointThatMatches(target: String) throws {
        let dir = try SubcommandErrorTests.scratch()
        let (ckpt, val, test) = try Self.checkpoint(in: dir)
        let out = dir.appendingPathComponent("r.safetensors").path, chart = dir.appendingPathComponent("c.svg").path
        // contrast is deterministic, so `eval --corruption contrast` sees the same held-out images.
        let r = try CLIRunner.run(["evolve", "--model", ckpt, "--target", target, "--images", val.images, "--labels", val.labels,
                                   "--test-images", test.images, "--test-labels", test.labels, "--corruption", "contrast",
                                   "--metric", "accuracy", "--budget", "24", "--seed", "3", "--out", out, "--chart", chart, "--json", "--quiet"])
        try #require(r.status == 0, "\(r.stderr)")
        let report = try FinetuneEvalCommandTests.json(r)
        #expect(report["target"] as? String == target)
        #expect(report["evaluations"] as? Int == 24)
        let v = try #require(report["validation"] as? [String: Double]), t = try #require(report["test"] as? [String: Double])
        #expect(v["size"] == 40 && t["size"] == 40)
        #expect(try #require(v["after"]) >= (try #require(v["before"])))
        #expect((report["history"] as? [Double])?.count == 24)
        #expect((report["overfitting_bound"] as? Double ?? 0) > 0)
        let recommendation = try #require(report["recommendation"] as? [String: [Double]])
        #expect(recommendation[target == "logit-offsets" ? "offsets" : "bn.mix"]?.count == (target == "logit-offsets" ? 2 : 1))
        let baselines = try #require(report["baselines"] as? [String: [String: Double]])
        #expect(baselines[target == "logit-offsets" ? "gradient-calibration" : "full-reestimation"] != nil)
        #expect(try String(contentsOfFile: chart, encoding: .utf8).hasPrefix("<svg"))
        let e = try CLIRunner.run(["eval", "--model", out, "--images", test.images, "--labels", test.labels, "--corruption", "contrast", "--json"])
        try #require(e.status == 0, "\(e.stderr)")
        #expect(try FinetuneEvalCommandTests.json(e)["top1"] as? Double == t["after"])
    }

    @Test func withoutHeldOutInputTheRestOfTheValidationInputIsHeldOut() throws {
        let dir = try SubcommandErrorTests.scratch()
        let (ckpt, val, _) = try Self.checkpoint(in: dir)
        let r = try CLIRunner.run(["evolve", "--model", ckpt, "--images", val.images, "--labels", val.labels, "--validation-size", "30",
                                   "--metric", "macro-f1", "--budget", "10", "--json", "--quiet"])
        try #require(r.status == 0, "\(r.stderr)")
        let report = try FinetuneEvalCommandTests.json(r)
        #expect((report["validation"] as? [String: Double])?["size"] == 30)
        #expect((report["test"] as? [String: Double])?["size"] == 10)
        #expect(report["metric"] as? String == "macro-f1")
        #expect(report["out"] == nil)
    }

    @Test func badCombinationsAreUsageErrorsAndMissingFilesRuntimeErrors() throws {
        let dir = try SubcommandErrorTests.scratch()
        let val = try FinetuneEvalCommandTests.writeImages(count: 8, seed: 1, dir: dir, name: "val")
        let ckpt = dir.appendingPathComponent("none.safetensors").path
        let base = ["evolve", "--model", ckpt, "--images", val.images, "--labels", val.labels, "--budget", "5"]
        #expect(try CLIRunner.run(base + ["--problem", "sphere"]).status == 2)
        #expect(try CLIRunner.run(base + ["--target", "everything"]).status == 2)
        #expect(try CLIRunner.run(base + ["--metric", "happiness"]).status == 2)
        #expect(try CLIRunner.run(base + ["--corruption", "rain"]).status == 2)
        #expect(try CLIRunner.run(base + ["--sharing", "some"]).status == 2)
        #expect(try CLIRunner.run(base + ["--validation-size", "1"]).status == 2)
        #expect(try CLIRunner.run(["evolve", "--model", ckpt, "--images", val.images, "--budget", "5"]).status == 2)
        #expect(try CLIRunner.run(["evolve", "--model", ckpt, "--text", val.labels, "--labels", val.labels, "--target", "batchnorm-mix", "--budget", "5"]).status == 2)
        #expect(try CLIRunner.run(base + ["--test-images", val.images]).status == 2)
        let missing = try CLIRunner.run(base)
        #expect(missing.status == 1 && missing.stderr.contains("none.safetensors"))
    }
}
