import Foundation
import KaizenIO
import KaizenTensor

enum ModelTestPaths {
    static let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func fixture(_ name: String) throws -> URL {
        let url = projectRoot.appendingPathComponent("Tests/KaizenModelsTests/Fixtures").appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { throw Missing(what: "\(url.path) (reference fixtures: run `bash scripts/fixtures.sh`)") }
        return url
    }

    static func asset(_ relative: String) throws -> URL {
        let url = projectRoot.appendingPathComponent(".assets/python").appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw Missing(what: "\(url.path) — run `bash scripts/install-deps.sh`")
        }
        return url
    }

    struct Missing: Error, CustomStringConvertible {
        let what: String
        var description: String { "missing test input: \(what)" }
    }
}

/// max |a - b| / max |b|: the error relative to the reference tensor's scale.
func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
    let x = a.scalars, y = b.scalars
    var diff: Float = 0, scale: Float = 0
    for (u, v) in zip(x, y) { diff = Swift.max(diff, Swift.abs(u - v)); scale = Swift.max(scale, Swift.abs(v)) }
    return x.count == y.count ? diff / Swift.max(scale, 1e-12) : .infinity
}
