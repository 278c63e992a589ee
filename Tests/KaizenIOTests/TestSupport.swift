import Foundation
import Testing

/// Paths the IO tests use: bundled fixtures and the project's installed model assets.
enum TestPaths {
    static func fixture(_ name: String) throws -> URL {
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        guard let url = Bundle.module.url(forResource: parts[0], withExtension: parts.count > 1 ? parts[1] : nil, subdirectory: "Fixtures") else {
            throw FixtureMissing(name: name)
        }
        return url
    }

    static let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// An installed model file; a missing file fails the test with the command that installs it.
    static func asset(_ relative: String) throws -> URL {
        let url = projectRoot.appendingPathComponent(".assets/python").appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw FixtureMissing(name: "\(url.path) — run `bash scripts/install-deps.sh`")
        }
        return url
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}

struct FixtureMissing: Error, CustomStringConvertible {
    let name: String
    var description: String { "missing test input: \(name) (reference fixtures: run `bash scripts/fixtures.sh`)" }
}
