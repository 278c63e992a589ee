import Foundation
import Testing

/// Usage errors exit with 2, runtime errors with 1 and a message naming the file or argument.
@Suite struct SubcommandErrorTests {
    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A float32 .npy written by hand (the CLI tests do not link the library).
    static func npy(_ rows: [[Float]], to url: URL) throws {
        let shape = "(\(rows.count), \(rows.first?.count ?? 0))"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)])
        data.append(Data(header.utf8))
        for row in rows { for v in row { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } } }
        try data.write(to: url)
    }

    @Test func selectErrors() throws {
        let dir = try Self.scratch()
        let features = dir.appendingPathComponent("f.npy")
        try Self.npy((0..<40).map { i in [Float(i % 4), Float(i % 3), Float(i) * 0.1] }, to: features)
        let out = dir.appendingPathComponent("sel.json").path
        #expect(try CLIRunner.run(["select", "--features", features.path, "--budget", "0", "--out", out]).status == 2)
        #expect(try CLIRunner.run(["select", "--features", features.path, "--budget", "abc%", "--out", out]).status == 2)
        #expect(try CLIRunner.run(["select", "--features", features.path, "--budget", "5", "--method", "magic", "--out", out]).status == 2)
        let missing = try CLIRunner.run(["select", "--features", dir.appendingPathComponent("none.npy").path, "--budget", "5", "--out", out])
        #expect(missing.status == 1 && missing.stderr.contains("none.npy"))
        let tooMany = try CLIRunner.run(["select", "--features", features.path, "--budget", "500", "--out", out])
        #expect(tooMany.status == 1 && tooMany.stderr.contains("budget"))
        let ok = try CLIRunner.run(["select", "--features", features.path, "--budget", "10%", "--method", "kmeans", "--out", out, "--quiet"])
        #expect(ok.status == 0)
        // Writing the same output again replaces it (atomic rename over an existing file).
        #expect(try CLIRunner.run(["select", "--features", features.path, "--budget", "10%", "--method", "kmeans", "--out", out, "--quiet"]).status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any]
        #expect((json?["indices"] as? [Int])?.count == 4 && json?["method"] as? String == "kmeans")
    }

    @Test func knnAndProbeErrors() throws {
        let dir = try Self.scratch()
        let tr = dir.appendingPathComponent("tr.npy"), te = dir.appendingPathComponent("te.npy")
        try Self.npy([[0, 0], [0, 1], [5, 5], [5, 6]], to: tr)
        try Self.npy([[0, 0.5], [5, 5.5]], to: te)
        let ltr = dir.appendingPathComponent("tr.txt"), lte = dir.appendingPathComponent("te.txt")
        try "a\na\nb\nb\n".write(to: ltr, atomically: true, encoding: .utf8)
        try "a\nb\n".write(to: lte, atomically: true, encoding: .utf8)
        let ok = try CLIRunner.run(["knn", "--train", tr.path, "--train-labels", ltr.path, "--test", te.path, "--test-labels", lte.path, "--k", "1", "--json"])
        #expect(ok.status == 0)
        let obj = try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as? [String: Any]
        #expect(obj?["top1"] as? Double == 1 && obj?["k"] as? Int == 1)
        #expect(try CLIRunner.run(["knn", "--train", tr.path, "--train-labels", ltr.path, "--test", te.path, "--test-labels", lte.path, "--k", "0"]).status == 2)
        #expect(try CLIRunner.run(["knn", "--train", tr.path, "--train-labels", ltr.path, "--test", te.path, "--test-labels", lte.path, "--metric", "manhattan"]).status == 2)
        let wrongCount = try CLIRunner.run(["knn", "--train", tr.path, "--train-labels", lte.path, "--test", te.path, "--test-labels", lte.path])
        #expect(wrongCount.status == 1 && wrongCount.stderr.contains("te.txt"))
        let badIndices = dir.appendingPathComponent("bad.json")
        try #"{"indices": [0, 99]}"#.write(to: badIndices, atomically: true, encoding: .utf8)
        let probe = try CLIRunner.run(["probe", "--train", tr.path, "--train-labels", ltr.path, "--test", te.path, "--test-labels", lte.path, "--indices", badIndices.path])
        #expect(probe.status == 1 && probe.stderr.contains("99"))
    }

    @Test func selectEvalReportsEveryMethodAndBudget() throws {
        let dir = try Self.scratch()
        let pool = dir.appendingPathComponent("pool.npy"), test = dir.appendingPathComponent("test.npy")
        try Self.npy((0..<60).map { i in [Float(i % 3) * 4 + Float(i % 7) * 0.1, Float(i % 5) * 0.1] }, to: pool)
        try Self.npy((0..<9).map { i in [Float(i % 3) * 4, 0.2] }, to: test)
        let lp = dir.appendingPathComponent("pool.txt"), lt = dir.appendingPathComponent("test.txt")
        try (0..<60).map { "c\($0 % 3)" }.joined(separator: "\n").write(to: lp, atomically: true, encoding: .utf8)
        try (0..<9).map { "c\($0 % 3)" }.joined(separator: "\n").write(to: lt, atomically: true, encoding: .utf8)
        let r = try CLIRunner.run(["select-eval", "--features", pool.path, "--labels", lp.path, "--test", test.path, "--test-labels", lt.path,
                                   "--budgets", "6,12", "--methods", "random,coreset", "--seeds", "0,1", "--json", "--quiet"])
        #expect(r.status == 0)
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let results = obj?["results"] as? [[String: Any]] ?? []
        #expect(results.count == 4 && results.allSatisfy { ($0["accuracies"] as? [Double])?.count == 2 })
        #expect(try CLIRunner.run(["select-eval", "--features", pool.path, "--labels", lp.path, "--test", test.path, "--test-labels", lt.path, "--seeds", "x"]).status == 2)
    }

    @Test func evolveAndDemoErrors() throws {
        #expect(try CLIRunner.run(["evolve", "--problem", "sphere", "--dim", "3", "--optimizer", "nope", "--budget", "10"]).status == 2)
        #expect(try CLIRunner.run(["evolve", "--problem", "sphere", "--dim", "3", "--budget", "0"]).status == 2)
        #expect(try CLIRunner.run(["evolve", "--problem", "nosuch", "--dim", "3", "--budget", "10"]).status == 2)
        let ok = try CLIRunner.run(["evolve", "--problem", "onemax", "--dim", "20", "--optimizer", "lengler", "--budget", "50", "--seed", "1", "--json"])
        let obj = try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as? [String: Any]
        #expect(ok.status == 0 && obj?["evaluations"] as? Int == 50)
        #expect(try CLIRunner.run(["demo", "nosuchstage"]).status == 2)
        #expect(try CLIRunner.run(["demo", "select", "--redraw"]).status == 2)
        let dir = try Self.scratch()
        let redraw = try CLIRunner.run(["demo", "--redraw", "--out", dir.path])
        #expect(redraw.status == 1 && redraw.stderr.contains("results.json"))
    }

    @Test func embedAndFeaturesErrors() throws {
        let dir = try Self.scratch()
        let missing = dir.appendingPathComponent("none.npy").path, out = dir.appendingPathComponent("e.npy").path
        #expect(try CLIRunner.run(["embed", "--model", "resnet-50", "--images", missing, "--out", out]).status == 2)
        #expect(try CLIRunner.run(["embed", "--model", "minilm-l6", "--data", "fashion-mnist:test", "--out", out]).status == 2)
        #expect(try CLIRunner.run(["embed", "--model", "efficientnet-lite0", "--data", "cifar-10", "--out", out]).status == 2)
        #expect(try CLIRunner.run(["embed", "--model", "efficientnet-lite0", "--out", out]).status == 2)
        #expect(try CLIRunner.run(["embed", "--model", "minilm-l6", "--text", missing, "--logits", "--out", out]).status == 2)
        let notThere = try CLIRunner.run(["embed", "--model", "efficientnet-lite0", "--images", missing, "--out", out])
        #expect(notThere.status == 1 && notThere.stderr.contains("none.npy"))
        #expect(try CLIRunner.run(["features", "--model", "efficientnet-lite0", "--images", missing, "--view-size", "4", "--out", out]).status == 2)
        let features = try CLIRunner.run(["features", "--model", "efficientnet-lite0", "--images", missing, "--objectives", "kl", "--out", out])
        #expect(features.status == 1 && features.stderr.contains("none.npy"))
    }
}
