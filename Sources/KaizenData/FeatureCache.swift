import Foundation
import KaizenIO

/// Embeddings computed once per (model, dataset, transform) and stored as `.npy` with a JSON
/// provenance record beside it. A cached entry is reused only when its provenance matches exactly;
/// both files are written atomically, so an interrupted run never leaves a half-written entry.
public struct FeatureCache: Sendable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    /// The cached features for `name` if their provenance equals `provenance`, else computes, stores and returns them.
    public func features(name: String, provenance: [String: String], compute: () throws -> Tensor) throws -> Tensor {
        if let cached = try lookup(name: name, provenance: provenance) { return cached }
        let features = try compute()
        try store(features, name: name, provenance: provenance)
        return features
    }

    /// The cached tensor, or nil when absent, unreadable or computed with a different provenance.
    public func lookup(name: String, provenance: [String: String]) throws -> Tensor? {
        let (data, meta) = urls(name)
        guard let saved = try? JSONSerialization.jsonObject(with: Data(contentsOf: meta)) as? [String: String],
              saved == provenance else { return nil }
        return try? NPY.read(data).floatTensor()
    }

    public func store(_ features: Tensor, name: String, provenance: [String: String]) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw KaizenError.io(file: directory.path, location: nil, reason: "cannot create the cache folder: \(error.localizedDescription)")
        }
        let (data, meta) = urls(name)
        // Provenance last: an entry counts only once its data is complete.
        try? FileManager.default.removeItem(at: meta)
        try NPY.write(features, to: data)
        try AtomicFile.write(try JSONSerialization.data(withJSONObject: provenance, options: [.sortedKeys]), to: meta)
    }

    func urls(_ name: String) -> (URL, URL) {
        (directory.appendingPathComponent("\(name).npy"), directory.appendingPathComponent("\(name).json"))
    }
}
