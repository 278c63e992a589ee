import Foundation
import Testing
@testable import KaizenData

@Suite struct ImageFolderTests {
    /// A fresh temporary folder, removed by the caller.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-imagefolder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func makeClass(_ root: URL, _ name: String) throws -> URL {
        let url = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func pngRoundTripAndGreyConversion() throws {
        let root = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let rgb = try DecodedImage(width: 3, height: 2, channels: 3, pixels: (0..<18).map { UInt8($0 * 14) })
        let file = root.appendingPathComponent("x.png")
        try PNGFile.write(rgb, to: file)
        #expect(try PNGFile.read(file, channels: 3) == rgb)
        let grey = try PNGFile.read(file, channels: 1)
        #expect(grey.channels == 1 && grey.pixels.count == 6)
        #expect(grey.pixels[5] > grey.pixels[0])  // brighter pixels stay brighter
    }

    @Test func loadsClassesSortedByNameWithValuesInUnitRange() throws {
        let root = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let dog = try Self.makeClass(root, "dog"), cat = try Self.makeClass(root, "cat")
        try PNGFile.write(DecodedImage(width: 2, height: 2, channels: 1, pixels: [0, 51, 102, 255]), to: dog.appendingPathComponent("1.png"))
        try PNGFile.write(DecodedImage(width: 2, height: 2, channels: 1, pixels: [255, 255, 0, 0]), to: dog.appendingPathComponent("0.png"))
        try PNGFile.write(DecodedImage(width: 2, height: 2, channels: 3, pixels: [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]),
                          to: cat.appendingPathComponent("a.png"))
        try Data("not an image".utf8).write(to: cat.appendingPathComponent("notes.txt"))

        let data = try ImageFolder.load(root)
        #expect(data.classNames == ["cat", "dog"])
        #expect(data.labels == [0, 1, 1])
        #expect(data.images.shape == [3, 3, 2, 2])
        let s = data.images.scalars
        #expect(Array(s[0..<4]) == [1, 0, 0, 10 / 255])              // cat: red channel plane
        #expect(Array(s[12..<16]) == [1, 1, 0, 0])                   // dog/0.png before dog/1.png
        #expect(Array(s[24..<28]) == [0, 0.2, 0.4, 1])               // dog/1.png grey copied to RGB
        #expect(try ImageFolder.load(root, channels: 1, size: 3).images.shape == [3, 1, 3, 3])
    }

    @Test func corruptPNGNamesTheFile() throws {
        let root = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let cls = try Self.makeClass(root, "a")
        let good = cls.appendingPathComponent("good.png")
        try PNGFile.write(DecodedImage(width: 8, height: 8, channels: 3, pixels: (0..<192).map { UInt8($0) }), to: good)
        let truncated = try Data(contentsOf: good).prefix(60)
        for (name, bytes) in [("garbage.png", Data("definitely not a png file".utf8)), ("truncated.png", Data(truncated))] {
            let bad = cls.appendingPathComponent(name)
            try bytes.write(to: bad)
            do {
                _ = try ImageFolder.load(root)
                Issue.record("\(name) should fail")
            } catch let KaizenError.io(file, _, reason) {
                #expect(file == bad.path, "\(reason)")
                #expect(reason.contains("PNG"))
            }
            try FileManager.default.removeItem(at: bad)
        }
        #expect(try ImageFolder.load(root).count == 1)
    }

    @Test func emptyFoldersAndMixedSizesAreErrors() throws {
        let root = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(throws: KaizenError.io(file: root.path, location: nil, reason: "no class folders: put the images of each class in its own sub-folder")) {
            try ImageFolder.load(root)
        }
        let a = try Self.makeClass(root, "a"), b = try Self.makeClass(root, "b")
        try PNGFile.write(DecodedImage(width: 2, height: 2, channels: 1, pixels: [1, 2, 3, 4]), to: a.appendingPathComponent("x.png"))
        #expect(throws: KaizenError.io(file: b.path, location: nil, reason: "class folder has no PNG or JPEG images")) {
            try ImageFolder.load(root)
        }
        try PNGFile.write(DecodedImage(width: 3, height: 2, channels: 1, pixels: [1, 2, 3, 4, 5, 6]), to: b.appendingPathComponent("y.png"))
        #expect(throws: KaizenError.self) { try ImageFolder.load(root) }
        #expect(try ImageFolder.load(root, size: 4).images.shape == [2, 3, 4, 4])
        #expect(throws: KaizenError.self) { try ImageFolder.load(root.appendingPathComponent("missing")) }
    }
}
