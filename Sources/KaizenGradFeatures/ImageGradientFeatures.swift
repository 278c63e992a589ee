import Foundation

/// FUNGI features of images from a frozen EfficientNet-Lite0: the pooled 1280-d embedding plus,
/// per objective (KL, DINO, SimCLR), the projected per-image gradient at `_conv_head`.
///
/// `_conv_head` is a 1x1 convolution without bias, i.e. one linear map W [1280, 320] applied at
/// every spatial position, followed by BatchNorm (frozen), ReLU6 and average pooling. Each image's
/// gradient is therefore sum over its views and positions of g a^T, with a the 320-d input and g
/// the gradient at the convolution's output. The trunk (stem and blocks) runs without autograd; the
/// graph starts at the convolution's output (`LayerGradientProbe`), so the backward pass stops there.
///
/// Views are drawn from a generator seeded by the run's seed and the image's pixels, so an image's
/// features do not depend on its batch. SimCLR's negatives are a fixed bank: `negatives` images (a
/// seeded sample of the given pool) x all their patch views, encoded once.
public struct ImageGradientFeatures {
    public let model: EfficientNetLite0
    public let configuration: ImageFUNGIConfiguration
    public let projection: GradientProjection
    public let heads: FUNGIHeads
    /// Normalised SimCLR head outputs of the negative views [N, K] (empty without SimCLR).
    public private(set) var negativeBank: Tensor
    /// Frozen BatchNorm after `_conv_head` as a per-channel affine map [1, 1280, 1, 1].
    let headScale: Tensor, headShift: Tensor

    public static let embeddingDimension = 1280

    /// `negativePool`: images [N, 3, H, W] to draw SimCLR's negatives from (the paper: 256
    /// training images); required when SimCLR is among the objectives.
    public init(model: EfficientNetLite0, configuration: ImageFUNGIConfiguration = ImageFUNGIConfiguration(),
                negativePool: Tensor? = nil) throws {
        let c = configuration
        guard !c.objectives.isEmpty else { throw KaizenError.invalidArgument(name: "objectives", detail: "give at least one of kl, dino, simclr") }
        try c.kl.validate()
        try c.dino.validate()
        guard c.patchGrid >= 2, c.patchFraction > 0, c.patchFraction <= 1, c.simclr.outputs >= 1, c.simclr.temperature > 0 else {
            throw KaizenError.invalidArgument(name: "SimCLR", detail: "needs a patch grid of at least 2, a patch fraction in (0, 1], 1 output and tau > 0")
        }
        guard c.batchSize >= 1, c.trunkChunk >= 1, (c.viewSize ?? 8) >= 8 else {
            throw KaizenError.invalidArgument(name: "configuration", detail: "batch size and trunk chunk must be positive and the view size at least 8")
        }
        if c.objectives.contains(.simclr) {
            guard let pool = negativePool, pool.rank == 4, pool.shape[0] > 0, pool.shape[1] == 3 else {
                throw KaizenError.invalidArgument(name: "--negatives", detail: "SimCLR needs images [N, 3, H, W] for its negative bank (the paper: 256 training images)")
            }
        }
        let d = Self.embeddingDimension
        self.model = model
        self.configuration = c
        heads = FUNGIHeads(embeddingDimension: d, kl: c.kl, dino: c.dino, simclr: c.simclr, objectives: c.objectives, seed: c.seed)
        let weightCount = model.convHead.weight.value.count
        projection = try GradientProjection(kind: c.projection, seed: c.seed &+ 1, inputDimension: weightCount, outputDimension: c.projectionDimension ?? d)
        let bn = model.bn1
        let mean = bn.runningMean.value.scalars, variance = bn.runningVar.value.scalars
        let w = bn.weight?.value.scalars ?? [Float](repeating: 1, count: d), b = bn.bias?.value.scalars ?? [Float](repeating: 0, count: d)
        let scale = (0..<d).map { w[$0] / (variance[$0] + bn.eps).squareRoot() }
        headScale = try Tensor(shape: [1, d, 1, 1], values: scale)
        headShift = try Tensor(shape: [1, d, 1, 1], values: (0..<d).map { b[$0] - mean[$0] * scale[$0] })
        negativeBank = Tensor(shape: [0, c.simclr.outputs], repeating: 0)
        if c.objectives.contains(.simclr), let pool = negativePool { negativeBank = try makeNegativeBank(pool) }
    }

    /// Embeddings [N, 1280] and one projected gradient block [N, D] per objective for a batch provider.
    /// The outputs are allocated once and filled batch by batch: small long-lived tensors kept per
    /// batch between the large transient ones fragmented glibc's heap (RSS grew by ~140 KB per
    /// image, 8.5 GB over 60,000 images).
    public func features(count: Int, batch: (Range<Int>) throws -> Tensor, progress: ProgressHandler? = nil) throws -> FUNGIFeatureBlocks {
        guard count > 0 else { throw KaizenError.invalidArgument(name: "images", detail: "no images to encode") }
        let d = projection.outputDimension
        let embedding = Tensor(uninitializedShape: [count, Self.embeddingDimension])
        var blocks: [FUNGIObjective: Tensor] = [:]
        for o in configuration.objectives { blocks[o] = Tensor(uninitializedShape: [count, d]) }
        func write(_ rows: Tensor, into out: Tensor?, at first: Int) {
            guard let out else { return }
            let width = out.shape[1], values = rows.contiguousValues()
            (out.basePointer + first * width).update(from: values.basePointer, count: values.count)
        }
        // Raw per-image gradients wait here until a projection group is full (one group in memory).
        var pending: [(FUNGIObjective, [Tensor])] = [], pendingCount = 0, pendingStart = 0
        func flush() throws {
            guard pendingCount > 0 else { return }
            let merged = try pending.map { ($0.0, $0.1.count == 1 ? $0.1[0] : try Tensor.concat($0.1, axis: 0)) }
            for (o, block) in try ProjectedViewGradients.project(merged, with: projection) { write(block, into: blocks[o], at: pendingStart) }
            pending = []
            pendingCount = 0
        }
        var start = 0
        while start < count {
            let range = start..<Swift.min(start + configuration.batchSize, count)
            let (e, g, projected) = try batchGradients(batch(range), projectFromFactors: true)
            write(e, into: embedding, at: range.lowerBound)
            for (o, block) in projected { write(block, into: blocks[o], at: range.lowerBound) }
            if !g.isEmpty {
                if pending.isEmpty { pending = g.map { ($0.0, []) }; pendingStart = range.lowerBound }
                for (i, item) in g.enumerated() { pending[i].1.append(item.1) }
                pendingCount += range.count
                if pendingCount >= configuration.projectionBatch || !projection.prefersLargeGroups { try flush() }
            }
            start = range.upperBound
            progress?(start, count)
        }
        try flush()
        return FUNGIFeatureBlocks(embedding: embedding, blocks: blocks)
    }

    /// Embeddings and projected gradient blocks of images [N, 3, H, W].
    public func features(_ images: Tensor, progress: ProgressHandler? = nil) throws -> FUNGIFeatureBlocks {
        try Self.checkImages(images, argument: "images")
        return try features(count: images.shape[0], batch: { r in try images.narrowed(axis: 0, start: r.lowerBound, length: r.count).contiguous() },
                            progress: progress)
    }

    static func checkImages(_ x: Tensor, argument: String) throws {
        guard x.rank == 4, x.shape[1] == 3, x.shape[2] >= 8, x.shape[3] >= 8 else {
            throw KaizenError.shapeMismatch(op: argument, detail: "images must be [N, 3, H, W] with H, W >= 8, got \(Shape.describe(x.shape))")
        }
    }

    /// `_conv_head`'s input [N, 320, h, w] without autograd, in chunks of `trunkChunk` images.
    func headInput(_ x: Tensor) throws -> Tensor {
        try noGrad {
            var parts: [Tensor] = []
            var start = 0
            while start < x.shape[0] {
                let n = Swift.min(configuration.trunkChunk, x.shape[0] - start)
                parts.append(try model.headInput(x.narrowed(axis: 0, start: start, length: n).contiguous()))
                start += n
            }
            return parts.count == 1 ? parts[0] : try Tensor.concat(parts, axis: 0)
        }
    }

    /// Pooled embeddings from `_conv_head`'s output y: avgpool(relu6(bn1(y))) [N, 1280].
    func pooled(headOutput y: Tensor) throws -> Tensor {
        try Functional.globalAvgPool2d((y * headScale + headShift).relu6())
    }

    /// `_conv_head` itself (1x1 convolution, no bias) without autograd.
    func headConv(_ a: Tensor) throws -> Tensor { try noGrad { try model.convHead(a) } }

    /// The views of one image: DINO's crop windows and SimCLR's patch windows (input pixels).
    func windows(of images: Tensor, index n: Int) throws -> (dino: [ImageViews.Window], simclr: [ImageViews.Window]) {
        let c = configuration, h = images.shape[2], w = images.shape[3]
        var dino: [ImageViews.Window] = [], simclr: [ImageViews.Window] = []
        if c.objectives.contains(.dino) {
            let image = try images.narrowed(axis: 0, start: n, length: 1).contiguousValues()
            var rng = RandomGenerator(seed: CounterHash.mix(FUNGIItemSeed.of(image.basePointer, count: image.count, seed: c.seed), 1))
            dino = ImageViews.dinoWindows(height: h, width: w, configuration: c.dino, rng: &rng)
        }
        if c.objectives.contains(.simclr) { simclr = ImageViews.patchWindows(height: h, width: w, grid: c.patchGrid, fraction: c.patchFraction) }
        return (dino, simclr)
    }

    /// The seeded sample of the pool, all patch views each, through the SimCLR head.
    func makeNegativeBank(_ pool: Tensor) throws -> Tensor {
        try Self.checkImages(pool, argument: "--negatives")
        let c = configuration
        var rng = RandomGenerator(seed: CounterHash.mix(c.seed, 201))
        let n = pool.shape[0]
        let chosen = n <= c.simclr.negatives ? Array(0..<n) : try rng.choice(n, count: c.simclr.negatives).sorted()
        let windows = ImageViews.patchWindows(height: pool.shape[2], width: pool.shape[3], grid: c.patchGrid, fraction: c.patchFraction)
        let size = c.viewSize ?? Swift.min(pool.shape[2], pool.shape[3])
        var bank: [Tensor] = []
        for i in chosen {
            let views = try ImageViews.crops(pool, sources: Array(repeating: i, count: windows.count), windows: windows, size: size)
            let e = try noGrad { try pooled(headOutput: headConv(headInput(views))) }
            bank.append(try FUNGILosses.simclrBank(embeddings: e, head: heads.simclr))
        }
        return try Tensor.concat(bank, axis: 0)
    }

    /// DINO's crops and SimCLR's patches of a batch [B, 3, H, W] as [B * V, 3, s, s] with their V
    /// (nil for an objective not asked for).
    func views(of x: Tensor) throws -> (dino: (Tensor, Int)?, simclr: (Tensor, Int)?) {
        let c = configuration, b = x.shape[0]
        let size = c.viewSize ?? Swift.min(x.shape[2], x.shape[3])
        let perImage = try (0..<b).map { try windows(of: x, index: $0) }
        func crops(_ pick: ((dino: [ImageViews.Window], simclr: [ImageViews.Window])) -> [ImageViews.Window]) throws -> (Tensor, Int) {
            let windows = perImage.map(pick)
            let v = windows.first?.count ?? 0
            let sources = (0..<b).flatMap { Array(repeating: $0, count: v) }
            return (try ImageViews.crops(x, sources: sources, windows: windows.flatMap { $0 }, size: size), v)
        }
        return (c.objectives.contains(.dino) ? try crops { $0.dino } : nil,
                c.objectives.contains(.simclr) ? try crops { $0.simclr } : nil)
    }

    /// The forward passes FUNGI's views need and nothing else (no heads, losses, gradients or
    /// projection): the originals, DINO's crops and SimCLR's patches through the frozen network,
    /// pooled. The baseline of the gradient overhead (`kaizen bench fungi`).
    public func viewForwards(_ x: Tensor) throws -> [Tensor] {
        try Self.checkImages(x, argument: "images")
        let views = try self.views(of: x)
        return try noGrad {
            try ([x] + [views.dino?.0, views.simclr?.0].compactMap { $0 }).map { try pooled(headOutput: headConv(headInput($0))) }
        }
    }

    /// One batch: the originals (embedding, KL), DINO's crops and SimCLR's patches as three groups
    /// with one probe each, the summed losses in one backward pass, then per-image gradients.
    func batchFeatures(_ x: Tensor) throws -> (embedding: Tensor, blocks: [FUNGIObjective: Tensor]) {
        let (embedding, gradients, _) = try batchGradients(x)
        return (embedding, try ProjectedViewGradients.project(gradients, with: projection))
    }

    /// The embeddings [B, 1280] and, per objective, the unprojected per-image gradients of
    /// `_conv_head`'s weight [B, 1280 * 320] (row-major W). With `projectFromFactors`, objectives
    /// whose gradients the projection takes as factors come back projected in `projected` instead.
    func batchGradients(_ x: Tensor, projectFromFactors: Bool = false)
        throws -> (embedding: Tensor, gradients: [(FUNGIObjective, Tensor)], projected: [(FUNGIObjective, Tensor)]) {
        try Self.checkImages(x, argument: "images")
        let c = configuration, b = x.shape[0], d = Self.embeddingDimension
        var loss = Tensor(shape: [], repeating: 0)
        var groups: [(FUNGIObjective, Tensor, LayerGradientProbe)] = []

        // Originals: the embedding, and KL's single view.
        let aOriginal = try headInput(x)
        let embedding: Tensor
        if c.objectives.contains(.kl) {
            let probe = LayerGradientProbe(layerOutput: try headConv(aOriginal))
            let e = try pooled(headOutput: probe.output)
            loss = try loss + FUNGILosses.kl(embeddings: e, head: heads.kl, temperature: c.kl.temperature).sum()
            groups.append((.kl, aOriginal, probe))
            embedding = e.detached()
        } else {
            embedding = try noGrad { try pooled(headOutput: headConv(aOriginal)) }
        }

        let views = try self.views(of: x)
        if let (crops, v) = views.dino {
            let a = try headInput(crops)
            let probe = LayerGradientProbe(layerOutput: try headConv(a))
            let e = try pooled(headOutput: probe.output).reshaped([b, v, d])
            loss = try loss + FUNGILosses.dino(views: e, globalViews: c.dino.globalViews, teacher: heads.dinoTeacher, student: heads.dinoStudent,
                                              teacherTemperature: c.dino.teacherTemperature, studentTemperature: c.dino.studentTemperature).sum()
            groups.append((.dino, a, probe))
        }
        if let (patches, v) = views.simclr {
            let a = try headInput(patches)
            let probe = LayerGradientProbe(layerOutput: try headConv(a))
            let e = try pooled(headOutput: probe.output).reshaped([b, v, d])
            loss = try loss + FUNGILosses.simclr(views: e, head: heads.simclr, negatives: negativeBank, temperature: c.simclr.temperature,
                                                temperatureInLogSumExp: c.simclr.temperatureInLogSumExp).sum()
            groups.append((.simclr, a, probe))
        }
        guard !groups.isEmpty else { return (embedding.contiguous(), [], []) }
        try loss.backward()
        var gradients: [(FUNGIObjective, Tensor)] = [], projected: [(FUNGIObjective, Tensor)] = []
        for (objective, a, probe) in groups {
            let g = try probe.outputGradient()
            // [R, C, h, w] -> [R, h*w, C]: positions act as tokens.
            let positions = a.shape[2] * a.shape[3]
            let aTokens = try a.reshaped([a.shape[0], a.shape[1], positions]).transposed(1, 2)
            let gTokens = try g.reshaped([g.shape[0], g.shape[1], positions]).transposed(1, 2)
            if projectFromFactors, let p = try ProjectedViewGradients.projectedFromFactors(input: aTokens, outputGradient: gTokens, inputs: b,
                                                                                          includeBias: false, projection: projection) {
                projected.append((objective, p))
            } else {
                gradients.append((objective, try ProjectedViewGradients.perInput(input: aTokens, outputGradient: gTokens, inputs: b, includeBias: false)))
            }
        }
        return (embedding.contiguous(), gradients, projected)
    }
}
