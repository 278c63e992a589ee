import Foundation
import Testing

/// `kaizen finetune` and `kaizen eval` on text: MiniLM with a new head fine-tuned for one epoch on a
/// dozen short sentences, then evaluated; plus the errors for text-incompatible options.
@Suite struct TextFinetuneTests {
    static let sentences: [(String, String)] = [
        ("I loved this film, it was wonderful", "pos"), ("what a terrible, boring movie", "neg"),
        ("a delightful and charming story", "pos"), ("the plot was awful and dull", "neg"),
        ("great acting and a happy ending", "pos"), ("I hated every minute of it", "neg"),
        ("brilliant, funny and warm", "pos"), ("a dreadful waste of time", "neg"),
        ("superb music and lovely scenes", "pos"), ("bad script, worse acting", "neg"),
        ("an excellent, joyful film", "pos"), ("painfully slow and ugly", "neg"),
    ]

    /// The sentences as a text file, as a CSV column (`review`, quoted, next to another column) and their labels.
    static func write(_ dir: URL) throws -> (text: String, csv: String, labels: String) {
        let text = dir.appendingPathComponent("train.txt"), labels = dir.appendingPathComponent("labels.txt")
        let csv = dir.appendingPathComponent("train.csv")
        try (sentences.map(\.0).joined(separator: "\n") + "\n").write(to: text, atomically: true, encoding: .utf8)
        try ("id,review\n" + sentences.enumerated().map { "\($0.offset),\"\($0.element.0)\"" }.joined(separator: "\n") + "\n")
            .write(to: csv, atomically: true, encoding: .utf8)
        try (sentences.map(\.1).joined(separator: "\n") + "\n").write(to: labels, atomically: true, encoding: .utf8)
        return (text.path, csv.path, labels.path)
    }

    @Test func finetuneThenEvalMiniLMOnText() throws {
        let dir = try SubcommandErrorTests.scratch()
        let data = try Self.write(dir)
        let ckpt = dir.appendingPathComponent("text.safetensors").path
        // Train from the CSV column, evaluate on the same sentences as a text file.
        let r = try CLIRunner.run(["finetune", "--model", "minilm-l6", "--csv", data.csv, "--text-column", "review", "--labels", data.labels,
                                   "--method", "ftp", "--optimizer", "sgd", "--epochs", "1", "--batch-size", "4",
                                   "--max-tokens", "16", "--out", ckpt, "--json", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try FinetuneEvalCommandTests.json(r)
        #expect(report["method"] as? String == "ftp")
        #expect(report["classes"] as? [String] == ["pos", "neg"])
        #expect(report["train_texts"] as? Int == 12)
        let history = try #require(report["history"] as? [[String: Any]])
        #expect(history.count == 1)
        #expect((history.first?["loss"] as? Double).map { $0.isFinite && $0 > 0 } == true)
        #expect((report["seconds_per_step"] as? Double ?? 0) > 0)
        #expect(FileManager.default.fileExists(atPath: ckpt))

        let e = try CLIRunner.run(["eval", "--model", ckpt, "--text", data.text, "--labels", data.labels, "--json"])
        #expect(e.status == 0, "\(e.stderr)")
        let evaluation = try FinetuneEvalCommandTests.json(e)
        let top1 = try #require(evaluation["top1"] as? Double)
        let perClass = try #require(evaluation["per_class"] as? [String: Double])
        #expect(Set(perClass.keys) == ["pos", "neg"])
        // Six examples of each class: top-1 is the count-weighted mean of the per-class accuracies.
        let recomputed = perClass.values.reduce(0) { $0 + $1 * 6 } / 12
        #expect(abs(top1 - recomputed) < 1e-12)
        #expect(abs((evaluation["mean_per_class"] as? Double ?? -1) - (perClass.values.reduce(0, +) / 2)) < 1e-12)
        #expect((top1 * 12).rounded() == top1 * 12)
    }

    @Test func textOnlyAcceptsTextMethodsAndModels() throws {
        let dir = try SubcommandErrorTests.scratch()
        let data = try Self.write(dir)
        let out = dir.appendingPathComponent("x.safetensors").path
        let tpgm = try CLIRunner.run(["finetune", "--model", "minilm-l6", "--text", data.text, "--labels", data.labels, "--method", "tpgm", "--out", out])
        #expect(tpgm.status != 0)
        #expect(tpgm.stderr.contains("ft, ftp, l2sp, lpft"), "\(tpgm.stderr)")
        let image = try CLIRunner.run(["finetune", "--model", "efficientnet-lite0", "--text", data.text, "--labels", data.labels, "--out", out])
        #expect(image.status != 0)
        #expect(image.stderr.contains("image model"), "\(image.stderr)")
        let noText = try CLIRunner.run(["finetune", "--model", "minilm-l6", "--data", "fashion-mnist:train", "--out", out])
        #expect(noText.status != 0)
        #expect(noText.stderr.contains("--text"), "\(noText.stderr)")
    }
}
