import Foundation
import Testing

/// `kaizen features` on a tiny images .npy with the pretrained EfficientNet-Lite0 (32 px, 2 images).
@Suite(.serialized) struct FeaturesCommandTests {
    /// A float32 .npy of any shape, written by hand (the CLI tests do not link the library).
    static func writeNPY(_ values: [Float], shape: [Int], to url: URL) throws {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(dims)), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)])
        data.append(Data(header.utf8))
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        try data.write(to: url)
    }

    /// (shape, values) of a little-endian float32 .npy (version 1 header).
    static func readNPY(_ url: URL) throws -> ([Int], [Float]) {
        let data = try Data(contentsOf: url)
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
        let inside = header.components(separatedBy: "'shape': (").last?.components(separatedBy: ")").first ?? ""
        let shape = inside.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let body = data[(10 + headerLength)...]
        let bytes = [UInt8](body)
        var values: [Float] = []
        for i in stride(from: 0, to: bytes.count - 3, by: 4) {
            var bits = UInt32(bytes[i])
            bits |= UInt32(bytes[i + 1]) << 8
            bits |= UInt32(bytes[i + 2]) << 16
            bits |= UInt32(bytes[i + 3]) << 24
            values.append(Float(bitPattern: bits))
        }
        return (shape, values)
    }

    static func norm(_ v: ArraySlice<Float>) -> Float { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    @Test func imageFeaturesInFUNGIOrderWithUnitBlocks() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-features-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let images = dir.appendingPathComponent("x.npy")
        let count = 2 * 3 * 32 * 32
        try Self.writeNPY((0..<count).map { Float(sin(Double($0) * 0.37)) }, shape: [2, 3, 32, 32], to: images)
        let both = dir.appendingPathComponent("both.npy").path, klOnly = dir.appendingPathComponent("kl.npy").path
        // Objectives given out of order; SimCLR negatives default to the inputs themselves.
        let run = try CLIRunner.run(["features", "--model", "efficientnet-lite0", "--images", images.path,
                                     "--objectives", "simclr,kl", "--seed", "3", "--out", both, "--json", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("\"objectives\":[\"kl\",\"simclr\"]"))
        let (shape, values) = try Self.readNPY(URL(fileURLWithPath: both))
        #expect(shape == [2, 3 * 1280])
        for row in 0..<2 {
            for block in 0..<3 {
                let start = row * 3840 + block * 1280
                #expect(Swift.abs(Self.norm(values[start..<(start + 1280)]) - 1) < 1e-4, "row \(row) block \(block)")
            }
        }
        // Embedding and KL blocks do not depend on SimCLR being computed alongside.
        let second = try CLIRunner.run(["features", "--model", "efficientnet-lite0", "--images", images.path,
                                        "--objectives", "kl", "--seed", "3", "--out", klOnly, "--quiet"])
        #expect(second.status == 0, "\(second.stderr)")
        let (shape2, values2) = try Self.readNPY(URL(fileURLWithPath: klOnly))
        #expect(shape2 == [2, 2 * 1280])
        for row in 0..<2 {
            let a = values[(row * 3840)..<(row * 3840 + 2560)], b = values2[(row * 2560)..<(row * 2560 + 2560)]
            #expect(zip(a, b).allSatisfy { Swift.abs($0 - $1) < 1e-4 })
        }
        let bad = try CLIRunner.run(["features", "--model", "efficientnet-lite0", "--images", images.path,
                                     "--objectives", "kl,byol", "--out", klOnly])
        #expect(bad.status == 2 && bad.stderr.contains("byol"))
        let grid = try CLIRunner.run(["features", "--model", "efficientnet-lite0", "--images", images.path,
                                      "--objectives", "simclr", "--patch-grid", "1", "--out", klOnly])
        #expect(grid.status == 2 && grid.stderr.contains("--patch-grid"))
        // The sparse projection: same embedding block, a different but unit-norm KL block.
        let sparse = dir.appendingPathComponent("sparse.npy").path
        let third = try CLIRunner.run(["features", "--model", "efficientnet-lite0", "--images", images.path,
                                       "--objectives", "kl", "--seed", "3", "--projection", "sparse:4", "--out", sparse, "--quiet"])
        #expect(third.status == 0, "\(third.stderr)")
        let (shape3, values3) = try Self.readNPY(URL(fileURLWithPath: sparse))
        #expect(shape3 == [2, 2 * 1280])
        #expect(zip(values2[0..<1280], values3[0..<1280]).allSatisfy { Swift.abs($0 - $1) < 1e-6 })
        #expect(Swift.abs(Self.norm(values3[1280..<2560]) - 1) < 1e-4)
        #expect(values3[1280..<2560] != values2[1280..<2560])
        let projection = try CLIRunner.run(["features", "--model", "efficientnet-lite0", "--images", images.path,
                                            "--projection", "gaussian", "--out", klOnly])
        #expect(projection.status == 2 && projection.stderr.contains("--projection"))
        // bench fungi times both sides on the same images and reports the overhead.
        let bench = try CLIRunner.run(["bench", "fungi", "--model", "efficientnet-lite0", "--images", images.path,
                                       "--objectives", "kl", "--projection", "sparse", "--rounds", "1", "--json", "--quiet"])
        #expect(bench.status == 0, "\(bench.stderr)")
        for key in ["\"forward_seconds\"", "\"features_seconds\"", "\"overhead\"", "\"images\":2"] { #expect(bench.stdout.contains(key), "\(key)") }
        let text = try CLIRunner.run(["bench", "fungi", "--model", "minilm-l6", "--text", images.path])
        #expect(text.status == 2 && text.stderr.contains("image"))
    }
}
