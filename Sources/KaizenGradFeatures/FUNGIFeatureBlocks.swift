/// FUNGI features of a set of inputs before assembly: the embedding and one projected gradient
/// block per objective (rows in input order, blocks not yet normalised).
public struct FUNGIFeatureBlocks: Sendable {
    /// [N, D_emb].
    public var embedding: Tensor
    /// [N, D_proj] per computed objective.
    public var blocks: [FUNGIObjective: Tensor]

    public init(embedding: Tensor, blocks: [FUNGIObjective: Tensor]) {
        self.embedding = embedding
        self.blocks = blocks
    }

    /// [embedding, KL, DINO, SimCLR] (the computed ones, always in this order), each block
    /// L2-normalised, not renormalised afterwards (row norm = sqrt(1 + objectives)).
    public func assembled() throws -> Tensor {
        try FUNGIFeatureBlocks.assemble(embedding: embedding, blocks: FUNGIObjective.allCases.compactMap { blocks[$0] })
    }

    /// Concatenates L2-normalised blocks in the order given.
    public static func assemble(embedding: Tensor, blocks: [Tensor]) throws -> Tensor {
        try Tensor.concat(([embedding] + blocks).map(unitRows), axis: 1)
    }

    /// Rows of x [N, D] scaled to unit L2 norm (zero rows stay zero). Rows are first divided by
    /// their largest magnitude, so gradients of any scale (1e-13 is common) normalise exactly.
    public static func unitRows(_ x: Tensor) throws -> Tensor {
        guard x.rank == 2 else {
            throw KaizenError.shapeMismatch(op: "FUNGIFeatureBlocks", detail: "a block must be [N, D], got \(Shape.describe(x.shape))")
        }
        let n = x.shape[0], d = x.shape[1]
        let src = x.contiguousValues(), out = Tensor(uninitializedShape: [n, d])
        let ps = src.basePointer, po = out.basePointer
        for r in 0..<n {
            let row = ps + r * d, dst = po + r * d
            var largest: Float = 0
            for j in 0..<d { largest = Swift.max(largest, Swift.abs(row[j])) }
            guard largest > 0, largest.isFinite else { dst.update(repeating: 0, count: d); continue }
            var sum: Double = 0
            for j in 0..<d { let v = Double(row[j] / largest); sum += v * v }
            let inverseNorm = Float(1 / sum.squareRoot())
            for j in 0..<d { dst[j] = row[j] / largest * inverseNorm }
        }
        return out
    }
}

/// Per-input gradients of one linear map from the views of a batch, projected with FUNGI's shared
/// random projection. The views of input b are rows b*V ..< (b+1)*V of the layer's input a [B*V, T, Din]
/// and output gradient g [B*V, T, Dout]; the gradient of input b is the sum over its views and
/// tokens (or positions) of g a^T (bias column appended when `includeBias`).
enum ProjectedViewGradients {
    static func perInput(input a: Tensor, outputGradient g: Tensor, inputs b: Int, includeBias: Bool) throws -> Tensor {
        let (a3, g3) = try byInput(input: a, outputGradient: g, inputs: b)
        return try PerSampleGradients.linear(input: a3, outputGradient: g3, includeBias: includeBias).reshaped([b, -1])
    }

    /// a [B*V, T, Din] and g [B*V, T, Dout] regrouped as [B, V*T, D]: each input's views and tokens together.
    static func byInput(input a: Tensor, outputGradient g: Tensor, inputs b: Int) throws -> (a: Tensor, g: Tensor) {
        guard a.rank == 3, g.rank == 3, b > 0, a.shape[0] % b == 0 else {
            throw KaizenError.shapeMismatch(op: "ProjectedViewGradients", detail: "input \(Shape.describe(a.shape)) must hold \(b) inputs' views")
        }
        let tokens = a.shape[0] / b * a.shape[1]
        return (try a.contiguous().reshaped([b, tokens, a.shape[2]]), try g.contiguous().reshaped([b, tokens, g.shape[2]]))
    }

    /// Tokens per input up to which the sparse projection takes the gradient as factors
    /// (`SparseSignProjection.projectOuterProducts`) instead of forming it.
    static let factoredTokenLimit = 16

    /// The projected per-input gradients [B, D] straight from the factors, when the projection is
    /// sparse and each input has few tokens; nil when forming the gradients is the cheaper way.
    static func projectedFromFactors(input a: Tensor, outputGradient g: Tensor, inputs b: Int, includeBias: Bool,
                                     projection: GradientProjection) throws -> Tensor? {
        guard case .sparse(let sparse) = projection, a.rank == 3, b > 0, a.shape[0] / b * a.shape[1] <= factoredTokenLimit else { return nil }
        let (a3, g3) = try byInput(input: a, outputGradient: g, inputs: b)
        return try sparse.projectOuterProducts(outputGradient: g3, input: a3, includeBias: includeBias)
    }

    /// Projects every objective's per-input gradients [B, N] in one pass and splits them again.
    static func project(_ gradients: [(FUNGIObjective, Tensor)], with projection: GradientProjection) throws -> [FUNGIObjective: Tensor] {
        guard !gradients.isEmpty else { return [:] }
        // Only the dense projection gains from one large GEMM; the sparse one would pay for the copy.
        if !projection.prefersLargeGroups || gradients.count == 1 {
            return try Dictionary(uniqueKeysWithValues: gradients.map { ($0.0, try projection.project($0.1)) })
        }
        let projected = try projection.project(Tensor.concat(gradients.map(\.1), axis: 0))
        var out: [FUNGIObjective: Tensor] = [:]
        var start = 0
        for (objective, g) in gradients {
            out[objective] = try projected.narrowed(axis: 0, start: start, length: g.shape[0]).contiguous()
            start += g.shape[0]
        }
        return out
    }
}
