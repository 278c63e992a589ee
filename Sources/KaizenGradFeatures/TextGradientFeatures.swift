import Foundation

/// FUNGI features of sentences from a frozen BERT/MiniLM encoder: the embedding plus, per
/// objective (KL, DINO, SimCLR), the projected per-sentence gradient of that objective at one
/// linear layer. One forward pass per batch carries every sentence with all its views; the graph
/// is cut at the layer (`LayerGradientProbe`), one backward pass of the summed losses stops there,
/// and each sentence's gradient is the sum over its views and tokens of g a^T.
///
/// Views are drawn from a generator seeded by the run's seed and the sentence's text, so a
/// sentence's features do not depend on the batch it is in. SimCLR's negatives are a fixed bank:
/// `negatives` sentences (a seeded sample of the given pool) x `negativeViews` word-deletion views,
/// encoded once.
public struct TextGradientFeatures {
    public let model: BertModel
    public let tokenizer: WordPieceTokenizer
    public let configuration: TextFUNGIConfiguration
    public let projection: GradientProjection
    public let heads: FUNGIHeads
    /// Normalised SimCLR head outputs of the negative views [N, K] (empty without SimCLR).
    public let negativeBank: Tensor

    /// `negativePool`: sentences to draw SimCLR's negatives from (the paper: training sentences);
    /// required when SimCLR is among the objectives.
    public init(model: BertModel, tokenizer: WordPieceTokenizer, configuration: TextFUNGIConfiguration = TextFUNGIConfiguration(),
                negativePool: [String] = []) throws {
        let c = configuration
        guard !c.objectives.isEmpty else { throw KaizenError.invalidArgument(name: "objectives", detail: "give at least one of kl, dino, simclr") }
        try c.kl.validate()
        try c.dino.validate()
        guard c.simclr.views >= 2, c.simclr.outputs >= 1, c.simclr.temperature > 0, c.simclr.negativeViews >= 1 else {
            throw KaizenError.invalidArgument(name: "SimCLR", detail: "needs at least 2 views, 1 output, 1 view per negative and tau > 0")
        }
        guard c.batchSize >= 1 else { throw KaizenError.invalidArgument(name: "batchSize", detail: "must be at least 1") }
        if c.objectives.contains(.simclr) && negativePool.isEmpty {
            throw KaizenError.invalidArgument(name: "--negatives", detail: "SimCLR needs sentences for its negative bank (the paper: 256 training sentences)")
        }
        let h = model.configuration.hiddenSize
        self.model = model
        self.tokenizer = tokenizer
        self.configuration = c
        heads = FUNGIHeads(embeddingDimension: h, kl: c.kl, dino: c.dino, simclr: c.simclr, objectives: c.objectives, seed: c.seed)
        projection = try GradientProjection(kind: c.projection, seed: c.seed &+ 1, inputDimension: h * (h + 1), outputDimension: c.projectionDimension ?? h)
        negativeBank = c.objectives.contains(.simclr)
            ? try Self.negativeBank(negativePool, model: model, tokenizer: tokenizer, head: heads.simclr, configuration: c)
            : Tensor(shape: [0, c.simclr.outputs], repeating: 0)
    }

    /// The seeded sample of the pool, `negativeViews` word-deletion views each, through the SimCLR head.
    static func negativeBank(_ pool: [String], model: BertModel, tokenizer: WordPieceTokenizer, head: RandomLinearHead,
                             configuration c: TextFUNGIConfiguration) throws -> Tensor {
        var rng = RandomGenerator(seed: CounterHash.mix(c.seed, 201))
        let chosen = pool.count <= c.simclr.negatives ? Array(pool.indices) : try rng.choice(pool.count, count: c.simclr.negatives).sorted()
        var views: [String] = []
        for i in chosen {
            var viewRNG = RandomGenerator(seed: CounterHash.mix(FUNGIItemSeed.of(pool[i], seed: c.seed), 3))
            for _ in 0..<c.simclr.negativeViews { views.append(TextViews.wordDeletion(pool[i], probability: c.wordDeletion, rng: &viewRNG)) }
        }
        var parts: [Tensor] = []
        var start = 0
        let step = Swift.max(c.batchSize * 8, 32)
        while start < views.count {
            let (ids, mask) = try tokenizer.encodeBatch(Array(views[start..<Swift.min(start + step, views.count)]))
            parts.append(try noGrad { try model.sentenceEmbeddings(ids: ids, mask: mask) })
            start += step
        }
        return try FUNGILosses.simclrBank(embeddings: Tensor.concat(parts, axis: 0), head: head)
    }

    /// Embeddings [N, H] and one projected gradient block [N, D] per objective (not yet normalised).
    /// Sentences are processed in order of length (less padding); rows come back in input order.
    public func features(_ texts: [String], progress: ProgressHandler? = nil) throws -> FUNGIFeatureBlocks {
        guard !texts.isEmpty else { throw KaizenError.invalidArgument(name: "texts", detail: "no texts to encode") }
        let order = texts.indices.sorted { texts[$0].utf8.count < texts[$1].utf8.count }
        let h = model.configuration.hiddenSize, d = projection.outputDimension
        let embedding = Tensor(uninitializedShape: [texts.count, h])
        var blocks: [FUNGIObjective: Tensor] = [:]
        for o in configuration.objectives { blocks[o] = Tensor(uninitializedShape: [texts.count, d]) }
        var done = 0
        while done < order.count {
            let rows = Array(order[done..<Swift.min(done + configuration.batchSize, order.count)])
            let (e, g) = try batchFeatures(rows.map { texts[$0] })
            for (k, row) in rows.enumerated() {
                (embedding.basePointer + row * h).update(from: e.basePointer + k * h, count: h)
                for (o, block) in g { if let out = blocks[o] { (out.basePointer + row * d).update(from: block.basePointer + k * d, count: d) } }
            }
            done += rows.count
            progress?(done, texts.count)
        }
        return FUNGIFeatureBlocks(embedding: embedding, blocks: blocks)
    }

    /// [embedding, objective blocks...], each block L2-normalised (norm of the result = sqrt(blocks)).
    public static func assemble(embedding: Tensor, blocks: [Tensor]) throws -> Tensor {
        try FUNGIFeatureBlocks.assemble(embedding: embedding, blocks: blocks)
    }

    /// The views of one sentence: DINO's global then local word spans, SimCLR's word deletions.
    func views(of text: String) -> (dino: [String], simclr: [String]) {
        let c = configuration, itemSeed = FUNGIItemSeed.of(text, seed: c.seed)
        var dino: [String] = [], simclr: [String] = []
        if c.objectives.contains(.dino) {
            var rng = RandomGenerator(seed: CounterHash.mix(itemSeed, 1))
            dino = (0..<c.dino.globalViews).map { _ in TextViews.wordSpan(text, scale: c.dino.globalScale, rng: &rng) }
                + (0..<c.dino.localViews).map { _ in TextViews.wordSpan(text, scale: c.dino.localScale, rng: &rng) }
        }
        if c.objectives.contains(.simclr) {
            var rng = RandomGenerator(seed: CounterHash.mix(itemSeed, 2))
            simclr = (0..<c.simclr.views).map { _ in TextViews.wordDeletion(text, probability: c.wordDeletion, rng: &rng) }
        }
        return (dino, simclr)
    }

    /// One batch: every sentence with its views in one forward pass, the summed losses in one
    /// backward pass, then per-sentence gradients per objective, projected together.
    func batchFeatures(_ texts: [String]) throws -> (embedding: Tensor, blocks: [FUNGIObjective: Tensor]) {
        let (embedding, gradients) = try batchGradients(texts)
        return (embedding, try ProjectedViewGradients.project(gradients, with: projection))
    }

    /// The embeddings [B, H] and, per objective, the unprojected per-sentence gradients of the
    /// layer [B, H * (H + 1)] (rows [dW[i, :], db[i]]).
    func batchGradients(_ texts: [String]) throws -> (embedding: Tensor, gradients: [(FUNGIObjective, Tensor)]) {
        let c = configuration, b = texts.count
        let perText = texts.map(views(of:))
        let dinoViews = perText.first?.dino.count ?? 0, simclrViews = perText.first?.simclr.count ?? 0
        // Rows: the b originals, then each sentence's DINO views, then each sentence's SimCLR views.
        let all = texts + perText.flatMap(\.dino) + perText.flatMap(\.simclr)
        let (ids, mask) = try tokenizer.encodeBatch(all)
        var captured: (Tensor, LayerGradientProbe)?
        let layer = c.layer
        let emb = try model.sentenceEmbeddings(ids: ids, mask: mask) { name, input, output in
            guard name == layer else { return output }
            let probe = LayerGradientProbe(layerOutput: output)
            captured = (input.detached(), probe)
            return probe.output
        }
        guard let (input, probe) = captured else {
            throw KaizenError.tensorName(name: layer, reason: "is not an attention output projection of this model")
        }
        let h = emb.shape[1]
        let originals = try emb.narrowed(axis: 0, start: 0, length: b)
        var loss = Tensor(shape: [], repeating: 0)
        var ranges: [(FUNGIObjective, Int, Int)] = []
        if c.objectives.contains(.kl) {
            loss = try loss + FUNGILosses.kl(embeddings: originals, head: heads.kl, temperature: c.kl.temperature).sum()
            ranges.append((.kl, 0, b))
        }
        if c.objectives.contains(.dino) {
            let e = try emb.narrowed(axis: 0, start: b, length: b * dinoViews).reshaped([b, dinoViews, h])
            loss = try loss + FUNGILosses.dino(views: e, globalViews: c.dino.globalViews, teacher: heads.dinoTeacher, student: heads.dinoStudent,
                                              teacherTemperature: c.dino.teacherTemperature, studentTemperature: c.dino.studentTemperature).sum()
            ranges.append((.dino, b, b * dinoViews))
        }
        if c.objectives.contains(.simclr) {
            let e = try emb.narrowed(axis: 0, start: b * (1 + dinoViews), length: b * simclrViews).reshaped([b, simclrViews, h])
            loss = try loss + FUNGILosses.simclr(views: e, head: heads.simclr, negatives: negativeBank, temperature: c.simclr.temperature,
                                                temperatureInLogSumExp: c.simclr.temperatureInLogSumExp).sum()
            ranges.append((.simclr, b * (1 + dinoViews), b * simclrViews))
        }
        try loss.backward()
        let g = try probe.outputGradient()
        var gradients: [(FUNGIObjective, Tensor)] = []
        for (objective, start, count) in ranges {
            gradients.append((objective, try ProjectedViewGradients.perInput(
                input: input.narrowed(axis: 0, start: start, length: count), outputGradient: g.narrowed(axis: 0, start: start, length: count),
                inputs: b, includeBias: true)))
        }
        return (originals.detached().contiguous(), gradients)
    }
}
