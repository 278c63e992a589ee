import Foundation
import Testing
@testable import KaizenGradFeatures

/// FUNGI on EfficientNet-Lite0 at `_conv_head`, with a randomly initialised network on tiny images
/// (48 px gives a 2 x 2 map at `_conv_head`, so gradients sum over positions and views).
@Suite(.serialized) struct ImageFUNGITests {
    /// A fixed random network in evaluation mode; the pretrained weights are not needed here.
    static func network() throws -> EfficientNetLite0 {
        let m = try EfficientNetLite0(seed: 11)
        m.eval()
        return m
    }

    static func configuration(seed: UInt64 = 5, projection: GradientProjection.Kind = .dense) -> ImageFUNGIConfiguration {
        var c = ImageFUNGIConfiguration()
        c.projection = projection
        c.kl.outputs = 16
        c.dino.globalViews = 2
        c.dino.localViews = 1
        c.dino.outputs = 16
        c.simclr.outputs = 8
        c.simclr.negatives = 2
        c.patchGrid = 2
        c.projectionDimension = 24
        c.seed = seed
        return c
    }

    static func images(_ n: Int, seed: UInt64 = 1) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return rng.normal([n, 3, 48, 48])
    }

    /// Reference: image i alone, plain autograd through a `_conv_head` weight leaf, the model's own
    /// BatchNorm module, one backward pass per objective.
    static func referenceGradient(_ f: ImageGradientFeatures, _ x: Tensor, objective: FUNGIObjective) throws -> [Float] {
        let m = f.model, c = f.configuration
        let w = m.convHead.weight.value.detached().requiringGrad()
        func embed(_ images: Tensor) throws -> Tensor {
            let a = try noGrad { try m.headInput(images) }
            return try Functional.globalAvgPool2d(m.bn1(Functional.conv2d(a, weight: w, bias: nil)).relu6())
        }
        let (dino, patches) = try f.windows(of: x, index: 0)
        let loss: Tensor
        switch objective {
        case .kl:
            loss = try FUNGILosses.kl(embeddings: embed(x), head: f.heads.kl, temperature: c.kl.temperature)
        case .dino:
            let views = try ImageViews.crops(x, sources: dino.map { _ in 0 }, windows: dino, size: 48)
            loss = try FUNGILosses.dino(views: embed(views).unsqueezed(0), globalViews: c.dino.globalViews, teacher: f.heads.dinoTeacher,
                                        student: f.heads.dinoStudent, teacherTemperature: c.dino.teacherTemperature, studentTemperature: c.dino.studentTemperature)
        case .simclr:
            let views = try ImageViews.crops(x, sources: patches.map { _ in 0 }, windows: patches, size: 48)
            loss = try FUNGILosses.simclr(views: embed(views).unsqueezed(0), head: f.heads.simclr, negatives: f.negativeBank,
                                          temperature: c.simclr.temperature, temperatureInLogSumExp: c.simclr.temperatureInLogSumExp)
        }
        try loss.sum().backward()
        return try #require(w.grad).scalars
    }

    @Test func perImageGradientsAtConvHeadEqualAutograd() throws {
        let x = Self.images(2)
        let model = try Self.network()
        let f = try ImageGradientFeatures(model: model, configuration: Self.configuration(), negativePool: Self.images(3, seed: 9))
        #expect(f.negativeBank.shape == [2 * 4, 8])
        let (embedding, gradients, _) = try f.batchGradients(x)
        #expect(gradients.map(\.0) == [.kl, .dino, .simclr])
        // The embedding is the model's own pooled feature.
        let plain = try noGrad { try model.features(x) }.scalars
        #expect(zip(embedding.scalars, plain).allSatisfy { Swift.abs($0 - $1) <= 1e-4 * Swift.max(1, Swift.abs($1)) })
        for (objective, batched) in gradients {
            #expect(batched.shape == [2, 1280 * 320])
            for i in 0..<2 {
                let reference = try Self.referenceGradient(f, x.narrowed(axis: 0, start: i, length: 1).contiguous(), objective: objective)
                let mine = try batched.narrowed(axis: 0, start: i, length: 1).contiguous().scalars
                let scale = reference.map { Swift.abs($0) }.max() ?? 0
                #expect(scale > 0)
                let worst = zip(mine, reference).map { Swift.abs($0 - $1) }.max() ?? 0
                #expect(worst <= 1e-3 * scale, "\(objective) image \(i): max error \(worst) of \(scale)")
            }
        }
    }

    @Test(arguments: [GradientProjection.Kind.dense, .sparse(nonzerosPerColumn: 4)])
    func batchInvarianceDeterminismAndUnitBlocks(projection: GradientProjection.Kind) throws {
        let x = Self.images(2)
        let pool = Self.images(3, seed: 9)
        let model = try Self.network()
        let f = try ImageGradientFeatures(model: model, configuration: Self.configuration(projection: projection), negativePool: pool)
        let batched = try f.features(x)
        let alone = try f.features(x.narrowed(axis: 0, start: 1, length: 1).contiguous())
        for o in FUNGIObjective.allCases {
            let a = try #require(alone.blocks[o]).scalars
            let b = try #require(batched.blocks[o]).narrowed(axis: 0, start: 1, length: 1).contiguous().scalars
            let scale = a.map { Swift.abs($0) }.max() ?? 1  // + an absolute floor, as below
            #expect(zip(a, b).allSatisfy { Swift.abs($0 - $1) <= 1e-4 * scale + 1e-12 }, "\(o) differs alone vs in a batch")
        }
        // Same seed: identical; another seed: different heads, views and projection.
        let again = try ImageGradientFeatures(model: model, configuration: Self.configuration(projection: projection), negativePool: pool).features(x)
        #expect(try again.assembled().scalars == batched.assembled().scalars)
        let other = try ImageGradientFeatures(model: model, configuration: Self.configuration(seed: 6, projection: projection), negativePool: pool).features(x)
        #expect(other.blocks[.dino]?.scalars != batched.blocks[.dino]?.scalars)
        #expect(other.embedding.scalars == batched.embedding.scalars)
        // [embedding, KL, DINO, SimCLR], each unit-norm: row norm 2.
        let assembled = try batched.assembled()
        #expect(assembled.shape == [2, 1280 + 3 * 24])
        let v = assembled.scalars, d = assembled.shape[1]
        for row in 0..<2 {
            let norm = (0..<d).reduce(Float(0)) { $0 + v[row * d + $1] * v[row * d + $1] }.squareRoot()
            #expect(Swift.abs(norm - 2) < 1e-4)
            let kl = (1280..<(1280 + 24)).reduce(Float(0)) { $0 + v[row * d + $1] * v[row * d + $1] }
            #expect(Swift.abs(kl - 1) < 1e-4)
        }
    }

    /// Forward batches of 1 with a projection group of 2 and 3 images (groups split across forward
    /// batches and a last partial group) give the features of one batch projected at once.
    @Test func projectionGroupsDoNotChangeFeatures() throws {
        let x = Self.images(3)
        let pool = Self.images(3, seed: 9)
        let model = try Self.network()
        var whole = Self.configuration()
        whole.batchSize = 3
        var grouped = Self.configuration()
        grouped.batchSize = 1
        grouped.projectionBatch = 2
        let a = try ImageGradientFeatures(model: model, configuration: whole, negativePool: pool).features(x)
        let b = try ImageGradientFeatures(model: model, configuration: grouped, negativePool: pool).features(x)
        for o in [nil] + FUNGIObjective.allCases {
            let u = try #require(o.map { a.blocks[$0] } ?? a.embedding).scalars, v = try #require(o.map { b.blocks[$0] } ?? b.embedding).scalars
            // An absolute floor: on this random network SimCLR's gradient is ~1e-13, i.e. rounding
            // noise that differs between BLAS kernels (Haswell's here) and batch sizes.
            let scale = u.map { Swift.abs($0) }.max() ?? 1
            #expect(u.count == v.count && zip(u, v).allSatisfy { Swift.abs($0 - $1) <= 1e-4 * scale + 1e-12 }, "\(o)")
        }
    }

    /// With the sparse projection, `features` projects from the gradient's factors; the blocks
    /// equal projecting the formed per-image gradients (`batchFeatures`).
    @Test func sparseProjectionFromFactorsEqualsProjectingFormedGradients() throws {
        let x = Self.images(3)
        let f = try ImageGradientFeatures(model: try Self.network(), configuration: Self.configuration(projection: .sparse(nonzerosPerColumn: 4)),
                                          negativePool: Self.images(3, seed: 9))
        let streamed = try f.features(x), formed = try f.batchFeatures(x)
        for o in FUNGIObjective.allCases {
            let u = try #require(streamed.blocks[o]).scalars, v = try #require(formed.blocks[o]).scalars
            let scale = v.map { Swift.abs($0) }.max() ?? 1
            #expect(u.count == v.count && zip(u, v).allSatisfy { Swift.abs($0 - $1) <= 1e-4 * scale + 1e-12 }, "\(o)")
        }
    }

    @Test func simclrNeedsNegatives() throws {
        let model = try Self.network()
        #expect(throws: KaizenError.self) { _ = try ImageGradientFeatures(model: model, configuration: Self.configuration()) }
        var c = Self.configuration()
        c.objectives = [.kl]
        let f = try ImageGradientFeatures(model: model, configuration: c)
        let out = try f.features(Self.images(1))
        #expect(out.blocks.keys.sorted() == [.kl])
    }
}
