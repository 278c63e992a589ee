import Foundation
import KaizenTensor

/// The safetensors format: u64 little-endian header length, a JSON header mapping names to
/// {dtype, shape, data_offsets}, then the data. Tensors may sit at unaligned offsets (copied out).
public enum SafeTensors {
    static let dtypeNames: [String: DType] = [
        "F32": .f32, "F16": .f16, "BF16": .bf16, "F64": .f64, "I64": .i64, "I32": .i32, "I16": .i16,
        "I8": .i8, "U8": .u8, "BOOL": .bool,
    ]

    /// Reads and validates a file's header; tensor data is copied out on access.
    public static func read(_ url: URL) throws -> SafeTensorsFile {
        let data = try FileBytes.read(url)
        let file = url.path
        guard data.count >= 8 else { throw KaizenError.io(file: file, location: "offset 0", reason: "truncated: \(data.count) bytes, no header length") }
        let headerLength = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw KaizenError.io(file: file, location: "offset 0", reason: "header length \(headerLength) exceeds the file size \(data.count)")
        }
        let headerData = data.subdata(in: 8..<(8 + Int(headerLength)))
        guard let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any] else {
            throw KaizenError.io(file: file, location: "header", reason: "header is not a JSON object")
        }
        let dataStart = 8 + Int(headerLength)
        var entries: [String: SafeTensorsFile.Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                for (k, v) in (value as? [String: Any]) ?? [:] { metadata[k] = "\(v)" }
                continue
            }
            guard let info = value as? [String: Any], let dtypeName = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2 else {
                throw KaizenError.io(file: file, location: "tensor '\(name)'", reason: "header entry needs dtype, shape and data_offsets")
            }
            guard let dtype = dtypeNames[dtypeName] else {
                throw KaizenError.io(file: file, location: "tensor '\(name)'", reason: "unsupported dtype \(dtypeName)")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, end >= begin, dataStart + end <= data.count else {
                throw KaizenError.io(file: file, location: "tensor '\(name)'", reason: "byte range [\(begin), \(end)) lies outside the file's \(data.count - dataStart) data bytes")
            }
            guard shape.allSatisfy({ $0 >= 0 }), end - begin == Shape.count(shape) * dtype.size else {
                throw KaizenError.io(file: file, location: "tensor '\(name)'", reason: "shape \(Shape.describe(shape)) of \(dtypeName) needs \(Shape.count(shape) * dtype.size) bytes but the range holds \(end - begin)")
            }
            entries[name] = .init(dtype: dtype, shape: shape, begin: dataStart + begin, end: dataStart + end)
        }
        let names = entries.keys.sorted { (entries[$0]?.begin ?? 0, $0) < (entries[$1]?.begin ?? 0, $1) }
        return SafeTensorsFile(url: url, data: data, entries: entries, names: names, metadata: metadata)
    }

    /// Writes tensors (in the given order) with optional metadata, atomically.
    public static func write(_ arrays: [(String, ArrayData)], metadata: [String: String] = [:], to url: URL) throws {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let reverse = Dictionary(uniqueKeysWithValues: dtypeNames.map { ($1, $0) })
        for (name, a) in arrays {
            guard header[name] == nil else { throw KaizenError.tensorName(name: name, reason: "written twice") }
            header[name] = ["dtype": reverse[a.dtype] ?? "F32", "shape": a.shape, "data_offsets": [offset, offset + a.bytes.count]]
            offset += a.bytes.count
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }  // pad with spaces so the data starts aligned
        var out = Data()
        out.reserveCapacity(8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        for (_, a) in arrays { out.append(a.bytes) }
        try AtomicFile.write(out, to: url)
    }

    /// Writes Float32 tensors.
    public static func write(tensors: [(String, Tensor)], metadata: [String: String] = [:], to url: URL) throws {
        try write(tensors.map { ($0.0, ArrayData(tensor: $0.1)) }, metadata: metadata, to: url)
    }
}

/// A parsed safetensors file.
public struct SafeTensorsFile: Sendable {
    struct Entry: Sendable {
        let dtype: DType
        let shape: [Int]
        let begin: Int, end: Int
    }

    public let url: URL
    let data: Data
    let entries: [String: Entry]
    /// Tensor names in file order.
    public let names: [String]
    public let metadata: [String: String]

    /// One array by name; an unknown name lists what the file has.
    public func array(named name: String) throws -> ArrayData {
        guard let e = entries[name] else {
            throw KaizenError.tensorName(name: name, reason: "not in \(url.lastPathComponent) (\(names.count) tensors, e.g. \(names.prefix(3).joined(separator: ", ")))")
        }
        return try ArrayData(dtype: e.dtype, shape: e.shape, bytes: data.subdata(in: e.begin..<e.end))
    }

    /// One tensor converted to Float32.
    public func tensor(named name: String) throws -> Tensor { try array(named: name).floatTensor() }

    /// Every floating-point tensor as Float32 (integer buffers such as position ids are skipped).
    public func floatTensors() throws -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for name in names where [.f32, .f16, .bf16, .f64].contains(entries[name]?.dtype) {
            out[name] = try tensor(named: name)
        }
        return out
    }
}
