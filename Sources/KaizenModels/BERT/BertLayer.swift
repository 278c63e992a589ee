/// Token, position and segment embeddings followed by LayerNorm (BERT's `embeddings.*`).
public final class BertEmbeddings: Module {
    public let wordEmbeddings: Parameter
    public let positionEmbeddings: Parameter
    public let tokenTypeEmbeddings: Parameter
    public let layerNorm: LayerNorm
    public var trainingMode = false

    init(_ c: BertConfiguration, rng: inout RandomGenerator) {
        wordEmbeddings = Parameter(rng.normal([c.vocabularySize, c.hiddenSize], std: 0.02))
        positionEmbeddings = Parameter(rng.normal([c.maxPositions, c.hiddenSize], std: 0.02))
        tokenTypeEmbeddings = Parameter(rng.normal([c.typeVocabularySize, c.hiddenSize], std: 0.02))
        layerNorm = LayerNorm([c.hiddenSize], eps: c.layerNormEps)
    }

    public func localParameters() -> [(String, Parameter)] {
        [("word_embeddings.weight", wordEmbeddings), ("position_embeddings.weight", positionEmbeddings),
         ("token_type_embeddings.weight", tokenTypeEmbeddings)]
    }

    public func namedChildren() -> [(String, any Module)] { [("LayerNorm", layerNorm)] }

    /// ids [B][T] (equal lengths) -> [B, T, hidden]; every token has segment 0.
    func callAsFunction(_ ids: [[Int]]) throws -> Tensor {
        let b = ids.count, t = ids.first?.count ?? 0
        guard t <= positionEmbeddings.shape[0] else {
            throw KaizenError.invalidArgument(name: "sequence length", detail: "\(t) tokens exceed the \(positionEmbeddings.shape[0]) positions of the model")
        }
        let words = try Functional.embedding(wordEmbeddings.value, ids: ids.flatMap { $0 }, shape: [b, t])
        let positions = try positionEmbeddings.value.narrowed(axis: 0, start: 0, length: t)
        let segment = try tokenTypeEmbeddings.value.narrowed(axis: 0, start: 0, length: 1)
        return try layerNorm.fused(words + positions + segment)
    }
}

extension LayerNorm {
    /// The module's normalisation through the fused `Functional.layerNorm` (one pass forward and
    /// backward instead of the module's composed ops).
    func fused(_ x: Tensor) throws -> Tensor {
        guard normalizedShape.count == 1 else { return try self(x) }
        return try Functional.layerNorm(x, weight: weight?.value, bias: bias?.value, eps: eps)
    }
}

/// One transformer block in BERT's post-norm layout, with PyTorch names
/// (`attention.self.query`, `attention.output.dense`, `intermediate.dense`, `output.dense`, ...).
public final class BertLayer: Module {
    public let query: Linear, key: Linear, value: Linear
    public let attentionOutput: Linear
    public let attentionNorm: LayerNorm
    public let intermediate: Linear
    public let output: Linear
    public let outputNorm: LayerNorm
    let heads: Int
    public var trainingMode = false

    init(_ c: BertConfiguration, rng: inout RandomGenerator) {
        query = Linear(c.hiddenSize, c.hiddenSize, rng: &rng)
        key = Linear(c.hiddenSize, c.hiddenSize, rng: &rng)
        value = Linear(c.hiddenSize, c.hiddenSize, rng: &rng)
        attentionOutput = Linear(c.hiddenSize, c.hiddenSize, rng: &rng)
        attentionNorm = LayerNorm([c.hiddenSize], eps: c.layerNormEps)
        intermediate = Linear(c.hiddenSize, c.intermediateSize, rng: &rng)
        output = Linear(c.intermediateSize, c.hiddenSize, rng: &rng)
        outputNorm = LayerNorm([c.hiddenSize], eps: c.layerNormEps)
        heads = c.heads
    }

    public func namedChildren() -> [(String, any Module)] {
        [("attention.self.query", query), ("attention.self.key", key), ("attention.self.value", value),
         ("attention.output.dense", attentionOutput), ("attention.output.LayerNorm", attentionNorm),
         ("intermediate.dense", intermediate), ("output.dense", output), ("output.LayerNorm", outputNorm)]
    }

    /// x [B, T, H]; `intercept` may replace the attention output projection's result (gradient probes).
    func callAsFunction(_ x: Tensor, mask: [[Bool]], intercept: BertModel.Interceptor?, name: String) throws -> Tensor {
        if !GradMode.isEnabled && intercept == nil { return try inference(x, mask: mask) }
        let merged = try attention(x, mask: mask)
        var projected = try attentionOutput(merged)
        if let intercept { projected = try intercept("\(name).attention.output.dense", merged, projected) }
        let attended = try attentionNorm.fused(projected + x)
        let inner = try intermediate(attended).gelu()
        return try outputNorm.fused(output(inner) + attended)
    }

    /// Attention context in the merged [B, T, H] layout: a fused kernel without gradients, the
    /// differentiable composed ops otherwise.
    func attention(_ x: Tensor, mask: [[Bool]]) throws -> Tensor {
        let b = x.shape[0], t = x.shape[1], hidden = x.shape[2], dh = hidden / heads
        guard mask.count == b, mask.allSatisfy({ $0.count == t }) else {
            throw KaizenError.shapeMismatch(op: "BertLayer", detail: "attention mask must be [\(b)][\(t)]")
        }
        if !GradMode.isEnabled {
            return InferenceAttention.context(packed: InferenceLinear.apply([query, key, value], x), heads: heads, mask: mask)
        }
        func split(_ y: Tensor) throws -> Tensor { try y.reshaped([b, t, heads, dh]).permuted([0, 2, 1, 3]) }
        let context = try Functional.scaledDotProductAttention(query: split(query(x)), key: split(key(x)), value: split(value(x)),
                                                               keyPaddingMask: mask)
        return try context.permuted([0, 2, 1, 3]).reshaped([b, t, hidden])
    }

    /// The block without autograd: packed Q/K/V product, fused attention, and bias/residual
    /// epilogues inside the matrix products.
    func inference(_ x: Tensor, mask: [[Bool]]) throws -> Tensor {
        let xc = x.contiguousValues()
        let context = try attention(xc, mask: mask)
        let attended = try attentionNorm.fused(InferenceLinear.apply([attentionOutput], context, residual: xc))
        let inner = InferenceLinear.apply([intermediate], attended).gelu()
        return try outputNorm.fused(InferenceLinear.apply([output], inner, residual: attended))
    }
}
