import Foundation
import Testing

/// `kaizen finetune` and `kaizen eval` end to end on tiny images with the from-scratch small CNN:
/// every method runs, the report has the contract's fields, eval agrees with finetune's own test
/// accuracy, resuming continues from the checkpoint, and bad input gives the documented errors.
@Suite struct FinetuneEvalCommandTests {
    /// 3x8x8 images, class "top" brighter in the upper half, "bottom" in the lower half.
    static func writeImages(count: Int, seed: UInt64, dir: URL, name: String) throws -> (images: String, labels: String) {
        var state = seed &+ 0x9E37_79B9
        func noise() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24) - 0.5
        }
        var values: [Float] = [], labels: [String] = []
        for i in 0..<count {
            let top = i % 2 == 0
            labels.append(top ? "top" : "bottom")
            for _ in 0..<3 { for row in 0..<8 { for _ in 0..<8 { values.append(((row < 4) == top ? 1 : -1) + 0.6 * noise()) } } }
        }
        let x = dir.appendingPathComponent("\(name).npy"), y = dir.appendingPathComponent("\(name).txt")
        try FeaturesCommandTests.writeNPY(values, shape: [count, 3, 8, 8], to: x)
        try (labels.joined(separator: "\n") + "\n").write(to: y, atomically: true, encoding: .utf8)
        return (x.path, y.path)
    }

    static func json(_ r: CLIRunner.Result) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "stdout: \(r.stdout) stderr: \(r.stderr)")
    }

    @Test(arguments: ["ft", "ftp", "l2sp", "lpft", "tpgm"])
    func everyMethodTrainsAndReports(method: String) throws {
        let dir = try SubcommandErrorTests.scratch()
        let train = try Self.writeImages(count: 48, seed: 1, dir: dir, name: "train")
        let test = try Self.writeImages(count: 20, seed: 2, dir: dir, name: "test")
        let ckpt = dir.appendingPathComponent("m.safetensors").path
        let r = try CLIRunner.run(["finetune", "--model", "small-cnn", "--images", train.images, "--labels", train.labels,
                                   "--test-images", test.images, "--test-labels", test.labels, "--shifts", "gaussian-noise,contrast",
                                   "--method", method, "--optimizer", "adam", "--lr", "0.01", "--epochs", "3", "--batch-size", "16",
                                   "--out", ckpt, "--json", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try Self.json(r)
        #expect(report["method"] as? String == method)
        #expect(report["classes"] as? [String] == ["top", "bottom"])
        let ood = try #require(report["ood"] as? [String: Double])
        #expect(Set(ood.keys) == ["gaussian-noise", "contrast"])
        #expect(report["ood_mean"] as? Double == (ood.values.reduce(0, +) / 2))
        #expect((report["seconds_per_step"] as? Double ?? 0) > 0)
        #expect((report["history"] as? [Any])?.count == 3)
        if method == "tpgm" { #expect(report["validation_images"] as? Int == 5) }
        // eval on the same test set agrees with the report's clean accuracy.
        let e = try CLIRunner.run(["eval", "--model", ckpt, "--images", test.images, "--labels", test.labels, "--json"])
        #expect(e.status == 0, "\(e.stderr)")
        let evaluation = try Self.json(e)
        #expect(evaluation["top1"] as? Double == report["id_top1"] as? Double)
        #expect((evaluation["per_class"] as? [String: Double])?.count == 2)
    }

    @Test func aSimpleTaskIsLearnedAndResumeContinuesTheRun() throws {
        let dir = try SubcommandErrorTests.scratch()
        let train = try Self.writeImages(count: 64, seed: 3, dir: dir, name: "train")
        let ckpt = dir.appendingPathComponent("m.safetensors").path
        let common = ["finetune", "--model", "small-cnn", "--images", train.images, "--labels", train.labels, "--test-images", train.images,
                      "--test-labels", train.labels, "--shifts", "none", "--method", "ft", "--optimizer", "adam", "--lr", "0.01",
                      "--batch-size", "16", "--out", ckpt, "--json", "--quiet"]
        #expect(try CLIRunner.run(common + ["--epochs", "2"]).status == 0)
        let resumed = try CLIRunner.run(common + ["--epochs", "4", "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let report = try Self.json(resumed)
        #expect((report["history"] as? [[String: Any]])?.map { $0["epoch"] as? Int } == [3, 4])
        #expect((report["id_top1"] as? Double ?? 0) >= 0.9)
    }

    @Test func badInputGivesUsageOrRuntimeErrors() throws {
        let dir = try SubcommandErrorTests.scratch()
        let train = try Self.writeImages(count: 8, seed: 4, dir: dir, name: "train")
        let ckpt = dir.appendingPathComponent("m.safetensors").path
        let base = ["finetune", "--model", "small-cnn", "--images", train.images, "--labels", train.labels, "--out", ckpt, "--quiet"]
        #expect(try CLIRunner.run(base + ["--method", "magic"]).status == 2)
        #expect(try CLIRunner.run(base + ["--optimizer", "rmsprop"]).status == 2)
        #expect(try CLIRunner.run(base + ["--shifts", "fog"]).status == 2)
        #expect(try CLIRunner.run(base + ["--method", "lpft", "--epochs", "1"]).status == 2)
        let resume = try CLIRunner.run(base + ["--resume"])
        #expect(resume.status == 1 && resume.stderr.contains("m.safetensors"))
        let badLabels = dir.appendingPathComponent("short.txt")
        try "top\nbottom\n".write(to: badLabels, atomically: true, encoding: .utf8)
        let mismatch = try CLIRunner.run(["finetune", "--model", "small-cnn", "--images", train.images, "--labels", badLabels.path, "--out", ckpt, "--quiet"])
        #expect(mismatch.status == 1 && mismatch.stderr.contains("short.txt"))
        let notCheckpoint = try CLIRunner.run(["eval", "--model", train.images, "--images", train.images, "--labels", train.labels])
        #expect(notCheckpoint.status == 1)
        #expect(try CLIRunner.run(["eval", "--model", ckpt, "--images", train.images]).status == 2)
    }
}
