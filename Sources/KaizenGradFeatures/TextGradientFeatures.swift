import Foundation

/// FUNGI's self-supervised objectives (Simoncini et al., NeurIPS 2024).
public enum FUNGIObjective: String, Sendable, CaseIterable, Codable {
    case kl, dino, simclr
}

/// FUNGI settings for a text encoder, with the paper's defaults (spec: ../shared/spec/fungi.md).
public struct TextFUNGIConfiguration: Sendable {
    /// Objectives to compute; this release implements KL (SimCLR and DINO follow).
    public var objectives: [FUNGIObjective] = [.kl]
    /// The layer whose per-sample gradient is the feature (BERT: the last attention output projection).
    public var layer = "encoder.layer.5.attention.output.dense"
    /// KL: head outputs L and softmax temperature T.
    public var klOutputs = 768
    public var klTemperature: Float = 15
    /// Seeds the random heads and the shared projection.
    public var seed: UInt64 = 42
    public var batchSize = 32
    public init() {}
}

/// FUNGI features of sentences from a frozen BERT/MiniLM encoder: the embedding plus, per
/// objective, the projected per-sample gradient of that objective at one linear layer, each block
/// L2-normalised. Gradients come from one backward pass per batch that stops at the layer (a graph
/// cut) and a batched outer product of the layer's inputs and output gradients.
public struct TextGradientFeatures {
    public let model: BertModel
    public let tokenizer: WordPieceTokenizer
    public let configuration: TextFUNGIConfiguration
    public let projection: RandomSignProjection
    let klWeight: Tensor, klBias: Tensor

    public init(model: BertModel, tokenizer: WordPieceTokenizer, configuration: TextFUNGIConfiguration = TextFUNGIConfiguration()) throws {
        for o in configuration.objectives where o != .kl {
            throw KaizenError.invalidArgument(name: "--objectives", detail: "\(o.rawValue) is not implemented yet for text; use kl")
        }
        guard configuration.klTemperature > 0, configuration.klOutputs >= 2 else {
            throw KaizenError.invalidArgument(name: "KL head", detail: "needs temperature > 0 and at least 2 outputs")
        }
        let h = model.configuration.hiddenSize
        self.model = model
        self.tokenizer = tokenizer
        self.configuration = configuration
        // PyTorch's default Linear init U(+-1/sqrt(in)), drawn once per run from the seed.
        var rng = RandomGenerator(seed: configuration.seed)
        let bound = 1 / Float(h).squareRoot()
        klWeight = rng.uniform([configuration.klOutputs, h], low: -bound, high: bound)
        klBias = rng.uniform([configuration.klOutputs], low: -bound, high: bound)
        projection = RandomSignProjection(seed: configuration.seed &+ 1, inputDimension: h * (h + 1), outputDimension: h)
    }

    /// Embeddings [N, H] and one projected gradient block [N, H] per objective (not yet normalised).
    public func features(_ texts: [String], progress: ProgressHandler? = nil) throws -> (embedding: Tensor, blocks: [FUNGIObjective: Tensor]) {
        guard !texts.isEmpty else { throw KaizenError.invalidArgument(name: "texts", detail: "no texts to encode") }
        var embeddings: [Tensor] = [], kl: [Tensor] = []
        var start = 0
        while start < texts.count {
            let batch = Array(texts[start..<Swift.min(start + configuration.batchSize, texts.count)])
            let (e, g) = try klBatch(batch)
            embeddings.append(e)
            kl.append(g)
            start += batch.count
            progress?(start, texts.count)
        }
        return (try Tensor.concat(embeddings, axis: 0), [.kl: try Tensor.concat(kl, axis: 0)])
    }

    /// [embedding, objective blocks...], each block L2-normalised (norm of the result = sqrt(blocks)).
    public static func assemble(embedding: Tensor, blocks: [Tensor]) throws -> Tensor {
        try Tensor.concat(([embedding] + blocks).map { try Functional.normalize($0, axis: 1) }, axis: 1)
    }

    /// One batch: the KL(U || softmax(head(e) / T)) loss per sentence; gradient at the layer.
    func klBatch(_ texts: [String]) throws -> (Tensor, Tensor) {
        let (ids, mask) = try tokenizer.encodeBatch(texts)
        var captured: (Tensor, LayerGradientProbe)?
        let layer = configuration.layer
        let emb = try model.sentenceEmbeddings(ids: ids, mask: mask) { name, input, output in
            guard name == layer else { return output }
            let probe = LayerGradientProbe(layerOutput: output)
            captured = (input.detached(), probe)
            return probe.output
        }
        guard let (input, probe) = captured else {
            throw KaizenError.tensorName(name: layer, reason: "is not an attention output projection of this model")
        }
        let logits = try (emb.matmul(klWeight.transposed()) + klBias) * (1 / configuration.klTemperature)
        let lossPerSentence = try -logits.logSoftmax(axis: 1).mean(axes: [1]) - Float(Foundation.log(Double(configuration.klOutputs)))
        try lossPerSentence.sum().backward()
        let grads = try PerSampleGradients.linear(input: input, outputGradient: probe.outputGradient())  // [B, H, H+1]
        let flat = try grads.reshaped([texts.count, -1])
        return (emb.detached(), try projection.project(flat))
    }
}
