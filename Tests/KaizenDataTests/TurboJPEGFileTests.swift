import Foundation
import Testing
@testable import KaizenData

#if canImport(CTurboJPEG)
@Suite struct TurboJPEGFileTests {
    @Test func decodesJPEGAndRejectsCorruptFiles() throws {
        let root = try ImageFolderTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let cls = try ImageFolderTests.makeClass(root, "a")
        // A smooth 16 x 16 RGB gradient survives quality-95 JPEG within a few levels.
        var pixels: [UInt8] = []
        for y in 0..<16 { for x in 0..<16 { pixels += [UInt8(x * 16), UInt8(y * 16), 128] } }
        let original = try DecodedImage(width: 16, height: 16, channels: 3, pixels: pixels)
        let file = cls.appendingPathComponent("g.jpg")
        try TurboJPEGFile.write(original, to: file)
        let decoded = try ImageFolder.decode(file, channels: 3)
        let worst = zip(decoded.pixels, original.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 255
        #expect(worst <= 8, "largest error \(worst)")
        #expect(try ImageFolder.load(root, channels: 1).images.shape == [1, 1, 16, 16])

        let bytes = try Data(contentsOf: file)
        for (name, data) in [("garbage.jpg", Data("no jpeg here".utf8)), ("truncated.jpeg", bytes.prefix(bytes.count / 2))] {
            let bad = cls.appendingPathComponent(name)
            try Data(data).write(to: bad)
            do {
                _ = try ImageFolder.load(root)
                Issue.record("\(name) should fail")
            } catch let KaizenError.io(path, _, reason) {
                #expect(path == bad.path && reason.contains("JPEG"), "\(reason)")
            }
            try FileManager.default.removeItem(at: bad)
        }
    }
}
#else
@Suite struct TurboJPEGFileTests {
    @Test func jpegWithoutTurboJPEGIsAClearError() throws {
        let url = URL(fileURLWithPath: "/tmp/x.jpg")
        #expect(throws: KaizenError.self) { try ImageFolder.decode(url, channels: 3) }
    }
}
#endif
