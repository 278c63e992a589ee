import Foundation
import Testing

/// `kaizen debias` end to end on a tiny from-scratch base: every method runs and writes a checkpoint
/// that `kaizen eval` reads, the report has before/after group accuracies, and a huge change
/// penalty leaves the model's predictions as they were.
@Suite struct DebiasCommandTests {
    static func base(in dir: URL) throws -> (ckpt: String, data: (images: String, labels: String), bias: String) {
        let data = try FinetuneEvalCommandTests.writeImages(count: 32, seed: 5, dir: dir, name: "data")
        let ckpt = dir.appendingPathComponent("base.safetensors").path
        let r = try CLIRunner.run(["finetune", "--model", "small-cnn", "--images", data.images, "--labels", data.labels, "--method", "ft",
                                   "--optimizer", "adam", "--lr", "0.01", "--epochs", "2", "--batch-size", "16", "--out", ckpt, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        // Bias attribute: half the images carry their own label (aligned), half the other one.
        let labels = try String(contentsOfFile: data.labels, encoding: .utf8).split(separator: "\n").map(String.init)
        let bias = labels.enumerated().map { $0.offset % 4 < 2 ? $0.element : ($0.element == "top" ? "bottom" : "top") }
        let biasFile = dir.appendingPathComponent("bias.txt")
        try (bias.joined(separator: "\n") + "\n").write(to: biasFile, atomically: true, encoding: .utf8)
        return (ckpt, data, biasFile.path)
    }

    @Test(arguments: ["change-penalty", "ft", "side-tuning", "mas", "dfr"])
    func everyMethodWritesACheckpointAndAGroupReport(method: String) throws {
        let dir = try SubcommandErrorTests.scratch()
        let b = try Self.base(in: dir)
        let tune = try FinetuneEvalCommandTests.writeImages(count: 4, seed: 9, dir: dir, name: "tune")
        let out = dir.appendingPathComponent("tuned.safetensors").path
        let r = try CLIRunner.run(["debias", "--model", b.ckpt, "--tune-images", tune.images, "--tune-labels", tune.labels,
                                   "--method", method, "--max-steps", "20", "--epsilon", "2", "--lr", "0.001",
                                   "--eval-images", b.data.images, "--eval-labels", b.data.labels, "--eval-bias", b.bias,
                                   "--out", out, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try FinetuneEvalCommandTests.json(r)
        #expect(report["method"] as? String == method)
        #expect(report["tuning_images"] as? Int == 4)
        for side in ["before", "after"] {
            let g = try #require(report[side] as? [String: Any])
            for key in ["unbiased", "worst_group", "aligned", "conflicting"] { #expect(g[key] is Double, "\(side).\(key)") }
        }
        let e = try CLIRunner.run(["eval", "--model", out, "--images", b.data.images, "--labels", b.data.labels, "--json"])
        #expect(e.status == 0, "\(e.stderr)")
        #expect(try FinetuneEvalCommandTests.json(e)["top1"] as? Double == (report["after"] as? [String: Any])?["accuracy"] as? Double)
    }

    @Test func aHugePenaltyChangesNothing() throws {
        let dir = try SubcommandErrorTests.scratch()
        let b = try Self.base(in: dir)
        let tune = try FinetuneEvalCommandTests.writeImages(count: 4, seed: 11, dir: dir, name: "tune")
        let out = dir.appendingPathComponent("tuned.safetensors").path
        let r = try CLIRunner.run(["debias", "--model", b.ckpt, "--tune-images", tune.images, "--tune-labels", tune.labels,
                                   "--lambda1", "1000000", "--max-steps", "10", "--eval-images", b.data.images, "--eval-labels", b.data.labels,
                                   "--eval-bias", b.bias, "--out", out, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try FinetuneEvalCommandTests.json(r)
        #expect((report["before"] as? [String: Double]) == (report["after"] as? [String: Double]))
    }

    @Test func badInputIsReported() throws {
        let dir = try SubcommandErrorTests.scratch()
        let b = try Self.base(in: dir)
        let out = dir.appendingPathComponent("tuned.safetensors").path
        let base = ["debias", "--model", b.ckpt, "--tune-images", b.data.images, "--tune-labels", b.data.labels, "--out", out, "--quiet"]
        #expect(try CLIRunner.run(base + ["--method", "magic"]).status == 2)
        #expect(try CLIRunner.run(base + ["--eval-images", b.data.images]).status == 2)
        #expect(try CLIRunner.run(base + ["--method", "ft", "--delta-out", "d.safetensors"]).status == 2)
        let wrongLabels = dir.appendingPathComponent("wrong.txt")
        try String(repeating: "cat\n", count: 32).write(to: wrongLabels, atomically: true, encoding: .utf8)
        let unknown = try CLIRunner.run(["debias", "--model", b.ckpt, "--tune-images", b.data.images, "--tune-labels", wrongLabels.path, "--out", out])
        #expect(unknown.status == 1 && unknown.stderr.contains("cat"))
    }
}

/// `kaizen data colored-fashion-mnist` writes the three splits with consistent counts and bias rates.
@Suite struct DataCommandTests {
    @Test func coloredFashionMNISTSplitsHaveTheirBias() throws {
        let dir = try SubcommandErrorTests.scratch()
        let r = try CLIRunner.run(["data", "colored-fashion-mnist", "--train", "400", "--test", "100", "--pool-per-class", "2",
                                   "--size", "8", "--out", dir.path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        func lines(_ name: String) throws -> [String] {
            try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8).split(separator: "\n").map(String.init)
        }
        #expect(try lines("pool.txt").count == 20)
        #expect(try zip(lines("pool.txt"), lines("pool_colour.txt")).allSatisfy { $0 != $1 })  // all conflicting
        let train = try zip(lines("train.txt"), lines("train_colour.txt")).map { $0 == $1 }
        #expect(train.count == 380 && Double(train.filter { $0 }.count) / 380 > 0.97)
        let test = try zip(lines("test.txt"), lines("test_colour.txt")).filter { $0 == $1 }.count
        #expect(test == 10)  // one colour in ten per class
        let npy = try Data(contentsOf: dir.appendingPathComponent("test.npy"))
        #expect(String(decoding: npy.prefix(128), as: UTF8.self).contains("(100, 3, 8, 8)"))
        #expect(try CLIRunner.run(["data", "colored-fashion-mnist", "--aligned-ratio", "1.5", "--out", dir.path]).status == 2)
    }
}
