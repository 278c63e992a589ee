import CZlib
import Foundation
import KaizenTensor

/// IDX files (the MNIST / Fashion-MNIST format), gzip-compressed or raw: a magic number giving the
/// element type and rank, big-endian dimension sizes, then the data.
public enum IDX {
    public static func read(_ url: URL) throws -> ArrayData {
        let file = url.path
        guard FileManager.default.fileExists(atPath: file) else { throw KaizenError.io(file: file, location: nil, reason: "file not found") }
        let data = try gunzipOrRaw(url)
        guard data.count >= 4, data[0] == 0, data[1] == 0 else {
            throw KaizenError.io(file: file, location: "offset 0", reason: "not an IDX file (bad magic)")
        }
        let type = data[2], rank = Int(data[3])
        let dtypes: [UInt8: DType] = [0x08: .u8, 0x09: .i8, 0x0B: .i16, 0x0C: .i32, 0x0D: .f32, 0x0E: .f64]
        guard let dtype = dtypes[type] else {
            throw KaizenError.io(file: file, location: "offset 2", reason: "unknown IDX element type 0x\(String(type, radix: 16))")
        }
        guard data.count >= 4 + 4 * rank else { throw KaizenError.io(file: file, location: "offset 4", reason: "truncated dimensions") }
        let shape = (0..<rank).map { d in (0..<4).reduce(0) { $0 << 8 | Int(data[4 + 4 * d + $1]) } }
        let start = 4 + 4 * rank, needed = Shape.count(shape) * dtype.size
        guard data.count - start >= needed else {
            throw KaizenError.io(file: file, location: "offset \(start)", reason: "truncated: \(Shape.describe(shape)) needs \(needed) bytes, file has \(data.count - start)")
        }
        var body = data.subdata(in: start..<(start + needed))
        if dtype.size > 1 {  // IDX is big-endian; ArrayData is little-endian
            body.withUnsafeMutableBytes { raw in
                for i in stride(from: 0, to: raw.count, by: dtype.size) {
                    for j in 0..<(dtype.size / 2) { raw.swapAt(i + j, i + dtype.size - 1 - j) }
                }
            }
        }
        return try ArrayData(dtype: dtype, shape: shape, bytes: body)
    }

    /// zlib's gz reader inflates gzip files and passes raw files through unchanged.
    static func gunzipOrRaw(_ url: URL) throws -> Data {
        guard let gz = gzopen(url.path, "rb") else {
            throw KaizenError.io(file: url.path, location: nil, reason: "cannot open")
        }
        defer { gzclose(gz) }
        var out = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { gzread(gz, $0.baseAddress, UInt32($0.count)) }
            if n < 0 {
                var code: Int32 = 0
                let message = gzerror(gz, &code).map { String(cString: $0) } ?? "unknown"
                throw KaizenError.io(file: url.path, location: "byte \(out.count)", reason: "corrupt gzip data: \(message)")
            }
            if n == 0 { break }
            out.append(contentsOf: buffer[0..<Int(n)])
        }
        return out
    }
}
