import CZlib
import Foundation
import KaizenTensor

/// Just enough of the zip format for PyTorch checkpoints: the central directory, stored or
/// deflated entries, and data offsets taken from each local header (PyTorch pads records there).
struct ZipArchive {
    struct Entry {
        let name: String
        let method: UInt16
        let compressedSize: Int
        let size: Int
        let localHeaderOffset: Int
    }

    let data: Data
    let file: String
    let entries: [String: Entry]

    static func isZip(_ data: Data) -> Bool { data.count >= 4 && data.prefix(4) == Data([0x50, 0x4B, 0x03, 0x04]) }

    init(data: Data, file: String) throws {
        self.data = data
        self.file = file
        func u16(_ o: Int) -> Int { Int(data[o]) | Int(data[o + 1]) << 8 }
        func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
        // End of central directory: the last occurrence of its signature.
        var eocd = -1
        var i = data.count - 22
        while i >= Swift.max(0, data.count - 65_557) {
            if data[i] == 0x50, data[i + 1] == 0x4B, data[i + 2] == 0x05, data[i + 3] == 0x06 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw KaizenError.io(file: file, location: "end of file", reason: "zip central directory not found (truncated file?)") }
        let count = u16(eocd + 10), dirOffset = u32(eocd + 16)
        guard dirOffset != 0xFFFF_FFFF, count != 0xFFFF else {
            throw KaizenError.io(file: file, location: "offset \(eocd)", reason: "zip64 archives (over 4 GB) are not supported")
        }
        var entries: [String: Entry] = [:]
        var p = dirOffset
        for _ in 0..<count {
            guard p + 46 <= data.count, u32(p) == 0x0201_4B50 else {
                throw KaizenError.io(file: file, location: "offset \(p)", reason: "corrupt zip central directory")
            }
            let nameLength = u16(p + 28), extraLength = u16(p + 30), commentLength = u16(p + 32)
            guard p + 46 + nameLength <= data.count else { throw KaizenError.io(file: file, location: "offset \(p)", reason: "truncated zip directory") }
            let name = String(decoding: data[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
            entries[name] = Entry(name: name, method: UInt16(u16(p + 10)), compressedSize: u32(p + 20), size: u32(p + 24), localHeaderOffset: u32(p + 42))
            p += 46 + nameLength + extraLength + commentLength
        }
        self.entries = entries
    }

    /// The bytes of one entry.
    func contents(of name: String) throws -> Data {
        guard let e = entries[name] else { throw KaizenError.io(file: file, location: name, reason: "zip entry missing") }
        let h = e.localHeaderOffset
        guard h + 30 <= data.count else { throw KaizenError.io(file: file, location: "offset \(h)", reason: "truncated zip entry \(name)") }
        let nameLength = Int(data[h + 26]) | Int(data[h + 27]) << 8, extraLength = Int(data[h + 28]) | Int(data[h + 29]) << 8
        let start = h + 30 + nameLength + extraLength
        guard start + e.compressedSize <= data.count else {
            throw KaizenError.io(file: file, location: "offset \(start)", reason: "truncated: entry \(name) needs \(e.compressedSize) bytes")
        }
        let raw = data.subdata(in: start..<(start + e.compressedSize))
        switch e.method {
        case 0: return raw
        case 8: return try inflate(raw, expected: e.size, name: name)
        default: throw KaizenError.io(file: file, location: name, reason: "unsupported zip compression method \(e.method)")
        }
    }

    private func inflate(_ raw: Data, expected: Int, name: String) throws -> Data {
        var out = Data(count: expected)
        var stream = z_stream()
        let status: Int32 = raw.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                stream.next_in = UnsafeMutablePointer(mutating: src.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(raw.count)
                stream.next_out = dst.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(expected)
                guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return Z_MEM_ERROR }
                defer { inflateEnd(&stream) }
                return CZlib.inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw KaizenError.io(file: file, location: name, reason: "corrupt deflate data (zlib status \(status))") }
        return out
    }
}
