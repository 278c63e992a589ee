import Foundation
import Testing
@testable import KaizenIO
import KaizenTensor

@Suite struct ArrayFormatTests {
    @Test func safetensorsRoundTrip() throws {
        let dir = try TestPaths.temporaryDirectory()
        let url = dir.appendingPathComponent("t.safetensors")
        let a = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        try SafeTensors.write([("a", ArrayData(tensor: a)), ("ids", ArrayData(int64: [7, -1], shape: [2]))],
                              metadata: ["classes": "x,y"], to: url)
        let file = try SafeTensors.read(url)
        #expect(file.names == ["a", "ids"])
        #expect(file.metadata["classes"] == "x,y")
        #expect(try file.tensor(named: "a").scalars == a.scalars)
        #expect(try file.array(named: "ids").int64Values() == [7, -1])
        #expect(throws: KaizenError.self) { try file.tensor(named: "nope") }
    }

    @Test func safetensorsHeaderErrors() throws {
        let dir = try TestPaths.temporaryDirectory()
        func file(_ header: String, dataBytes: Int) throws -> URL {
            var d = Data()
            withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { d.append(contentsOf: $0) }
            d.append(Data(header.utf8))
            d.append(Data(count: dataBytes))
            let url = dir.appendingPathComponent("f\(d.count)-\(header.count).safetensors")
            try d.write(to: url)
            return url
        }
        let wrongShape = try file(#"{"w":{"dtype":"F32","shape":[3,3],"data_offsets":[0,24]}}"#, dataBytes: 24)
        #expect { try SafeTensors.read(wrongShape) } throws: { ($0 as? KaizenError)?.description.contains("tensor 'w'") == true }
        let badJSON = try file("{not json", dataBytes: 0)
        #expect { try SafeTensors.read(badJSON) } throws: { ($0 as? KaizenError)?.description.contains("JSON") == true }
        let outside = try file(#"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, dataBytes: 8)
        #expect { try SafeTensors.read(outside) } throws: { ($0 as? KaizenError)?.description.contains("outside") == true }
    }

    @Test func npyRoundTripAndErrors() throws {
        let dir = try TestPaths.temporaryDirectory()
        let f = dir.appendingPathComponent("x.npy"), i = dir.appendingPathComponent("i.npy")
        let t = try Tensor(shape: [2, 2], values: [0.5, -1, 3, 4])
        try NPY.write(t, to: f)
        try NPY.write(int64: [3, 1, 2], shape: [3], to: i)
        let rf = try NPY.read(f)
        let roundTripped = try rf.floatTensor().scalars
        #expect(rf.dtype == .f32 && rf.shape == [2, 2] && roundTripped == t.scalars)
        #expect(try NPY.read(i).int64Values() == [3, 1, 2])
        let bad = dir.appendingPathComponent("bad.npy")
        try Data("NOTNUMPY".utf8).write(to: bad)
        #expect { try NPY.read(bad) } throws: { ($0 as? KaizenError)?.description.contains("bad.npy") == true }
    }

    @Test func halfPrecisionConversion() {
        #expect(ArrayData.halfToFloat(0x3C00) == 1)
        #expect(ArrayData.halfToFloat(0xC000) == -2)
        #expect(ArrayData.halfToFloat(0x0001) == Float(5.960464477539063e-08))
        #expect(ArrayData.halfToFloat(0x7C00) == .infinity)
    }

    @Test func fashionMNISTIDX() throws {
        let dir = "/usr/share/datasets/fashion-mnist/"
        guard FileManager.default.fileExists(atPath: dir) else {
            Issue.record("Fashion-MNIST is not installed: run `bash scripts/install-deps.sh`")
            return
        }
        let labels = try IDX.read(URL(fileURLWithPath: dir + "t10k-labels-idx1-ubyte.gz"))
        #expect(labels.shape == [10000] && labels.dtype == .u8)
        #expect(try Array(labels.int64Values().prefix(5)) == [9, 2, 1, 1, 6])
        let images = try IDX.read(URL(fileURLWithPath: dir + "train-images-idx3-ubyte.gz"))
        #expect(images.shape == [60000, 28, 28])
        #expect(throws: KaizenError.self) { try IDX.read(URL(fileURLWithPath: "/nonexistent.idx")) }
    }
}
