import Foundation
import KaizenTensor

/// NumPy `.npy` arrays (format versions 1.0 to 3.0): read float32/float64/int64/int32/uint8/bool in
/// C order; write float32 tensors and int64 arrays (version 1.0), atomically.
public enum NPY {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    public static func read(_ url: URL) throws -> ArrayData {
        let data = try FileBytes.read(url)
        let file = url.path
        guard data.count >= 10, Array(data.prefix(6)) == magic else {
            throw KaizenError.io(file: file, location: "offset 0", reason: "not a .npy file (bad magic)")
        }
        let major = data[6]
        let headerLength: Int, headerStart: Int
        if major == 1 {
            headerLength = Int(data[8]) | Int(data[9]) << 8
            headerStart = 10
        } else if major == 2 || major == 3 {
            guard data.count >= 12 else { throw KaizenError.io(file: file, location: "offset 8", reason: "truncated header") }
            headerLength = (8..<12).reduce(0) { $0 | Int(data[$1]) << (8 * ($1 - 8)) }
            headerStart = 12
        } else {
            throw KaizenError.io(file: file, location: "offset 6", reason: "unsupported .npy version \(major)")
        }
        guard headerStart + headerLength <= data.count else {
            throw KaizenError.io(file: file, location: "offset \(headerStart)", reason: "truncated header")
        }
        let header = String(decoding: data[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard let descr = field(header, "descr"), let shapeText = field(header, "shape") else {
            throw KaizenError.io(file: file, location: "header", reason: "header lacks descr or shape: \(header)")
        }
        if field(header, "fortran_order") == "True" {
            throw KaizenError.io(file: file, location: "header", reason: "Fortran-order arrays are not supported; save with np.ascontiguousarray")
        }
        let dtypes: [String: DType] = ["<f4": .f32, "<f8": .f64, "<i8": .i64, "<i4": .i32, "|u1": .u8, "|b1": .bool, "<f2": .f16, "<i2": .i16, "|i1": .i8]
        guard let dtype = dtypes[descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))] else {
            throw KaizenError.io(file: file, location: "header", reason: "unsupported dtype \(descr) (expected little-endian float32, float64, int64 or int32)")
        }
        let dims = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let shape = try dims.map { d -> Int in
            guard let v = Int(d), v >= 0 else { throw KaizenError.io(file: file, location: "header", reason: "bad shape \(shapeText)") }
            return v
        }
        let start = headerStart + headerLength, needed = Shape.count(shape) * dtype.size
        guard data.count - start >= needed else {
            throw KaizenError.io(file: file, location: "offset \(start)", reason: "truncated: shape \(Shape.describe(shape)) needs \(needed) bytes, file has \(data.count - start)")
        }
        return try ArrayData(dtype: dtype, shape: shape, bytes: data.subdata(in: start..<(start + needed)))
    }

    /// Writes a float32 array.
    public static func write(_ tensor: Tensor, to url: URL) throws {
        try write(ArrayData(tensor: tensor), to: url)
    }

    /// Writes an int64 array (indices, labels).
    public static func write(int64 values: [Int64], shape: [Int], to url: URL) throws {
        try write(ArrayData(int64: values, shape: shape), to: url)
    }

    public static func write(_ array: ArrayData, to url: URL) throws {
        let descr: String
        switch array.dtype {
        case .f32: descr = "<f4"
        case .i64: descr = "<i8"
        case .f64: descr = "<f8"
        case .i32: descr = "<i4"
        default: throw KaizenError.invalidArgument(name: "dtype", detail: "writing \(array.dtype.rawValue) .npy files is not supported")
        }
        let shapeText = array.shape.count == 1 ? "(\(array.shape[0]),)" : "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var out = Data(magic)
        out.append(contentsOf: [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)])
        out.append(Data(header.utf8))
        out.append(array.bytes)
        try AtomicFile.write(out, to: url)
    }

    /// The text value of `key` in a Python dict literal header.
    static func field(_ header: String, _ key: String) -> String? {
        guard let r = header.range(of: "'\(key)'") else { return nil }
        var rest = header[r.upperBound...].drop { $0 == " " || $0 == ":" }
        if rest.first == "(" {
            guard let close = rest.firstIndex(of: ")") else { return nil }
            return String(rest[...close])
        }
        if let end = rest.firstIndex(of: ",") { rest = rest[..<end] } else if let end = rest.firstIndex(of: "}") { rest = rest[..<end] }
        return rest.trimmingCharacters(in: .whitespaces)
    }
}
