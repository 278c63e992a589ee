import KaizenTensor
import Foundation

/// Element types found in checkpoints and arrays.
public enum DType: String, Sendable, CaseIterable, Codable {
    case f32, f16, bf16, f64, i64, i32, i16, i8, u8, bool

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .f64, .i64: return 8
        case .f32, .i32: return 4
        case .f16, .bf16, .i16: return 2
        case .i8, .u8, .bool: return 1
        }
    }
}

/// A typed array as stored in a file: dtype, shape and little-endian bytes (row-major).
/// Converts to the engine's Float32 `Tensor` or to integer lists.
public struct ArrayData: Sendable {
    public let dtype: DType
    public let shape: [Int]
    public let bytes: Data

    public init(dtype: DType, shape: [Int], bytes: Data) throws {
        guard bytes.count == Shape.count(shape) * dtype.size else {
            throw KaizenError.shapeMismatch(op: "ArrayData", detail: "\(bytes.count) bytes for \(dtype.rawValue) \(Shape.describe(shape))")
        }
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// The values of a Float32 tensor.
    public init(tensor: Tensor) {
        let c = tensor.contiguousValues()
        dtype = .f32
        shape = tensor.shape
        bytes = Data(bytes: c.basePointer, count: c.count * 4)
    }

    /// Int64 values with a shape.
    public init(int64 values: [Int64], shape: [Int]) throws {
        try self.init(dtype: .i64, shape: shape, bytes: values.withUnsafeBytes { Data($0) })
    }

    public var count: Int { Shape.count(shape) }

    /// Values converted to Float32 (half, bfloat16, double and integers included).
    public func floatTensor() throws -> Tensor {
        let out = Tensor(uninitializedShape: shape)
        let o = out.basePointer, n = count
        bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            switch dtype {
            case .f32: for i in 0..<n { o[i] = Float(bitPattern: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self).littleEndian) }
            case .f64: for i in 0..<n { o[i] = Float(Double(bitPattern: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self).littleEndian)) }
            case .f16: for i in 0..<n { o[i] = ArrayData.halfToFloat(raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self).littleEndian) }
            case .bf16: for i in 0..<n { o[i] = Float(bitPattern: UInt32(raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self).littleEndian) << 16) }
            case .i64: for i in 0..<n { o[i] = Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: Int64.self))) }
            case .i32: for i in 0..<n { o[i] = Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: Int32.self))) }
            case .i16: for i in 0..<n { o[i] = Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: Int16.self))) }
            case .i8: for i in 0..<n { o[i] = Float(raw.load(fromByteOffset: i, as: Int8.self)) }
            case .u8, .bool: for i in 0..<n { o[i] = Float(raw[i]) }
            }
        }
        return out
    }

    /// Values as Double (exact for every dtype but 64-bit integers beyond 2^53).
    public func doubleValues() throws -> [Double] {
        if dtype == .f64 {
            return bytes.withUnsafeBytes { raw in (0..<count).map { Double(bitPattern: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self).littleEndian) } }
        }
        if dtype == .i64 { return try int64Values().map(Double.init) }
        return try floatTensor().scalars.map(Double.init)
    }

    /// Integer values; throws for floating-point data.
    public func int64Values() throws -> [Int64] {
        let n = count
        return try bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [Int64] in
            switch dtype {
            case .i64: return (0..<n).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
            case .i32: return (0..<n).map { Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self))) }
            case .i16: return (0..<n).map { Int64(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: Int16.self))) }
            case .i8: return (0..<n).map { Int64(raw.load(fromByteOffset: $0, as: Int8.self)) }
            case .u8, .bool: return (0..<n).map { Int64(raw[$0]) }
            default:
                throw KaizenError.invalidArgument(name: "dtype", detail: "\(dtype.rawValue) array read as integers")
            }
        }
    }

    /// IEEE half to float, including subnormals, infinities and NaN.
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exp = Int((h >> 10) & 0x1f), mant = UInt32(h & 0x3ff)
        if exp == 0 {
            let v = Float(mant) * Float(sign == 0 ? 1 : -1) / 16_777_216  // mant * 2^-24
            return v
        }
        if exp == 31 { return Float(bitPattern: sign | 0x7f80_0000 | (mant << 13)) }
        return Float(bitPattern: sign | UInt32(exp - 15 + 127) << 23 | (mant << 13))
    }
}

/// Writes files atomically: a temporary file in the same folder, then a rename, so an interrupted
/// run never leaves a half-written output.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try data.write(to: tmp)
            // rename(2) replaces an existing file atomically (Foundation's replaceItemAt fails on Linux).
            guard rename(tmp.path, url.path) == 0 else {
                throw KaizenError.io(file: url.path, location: nil, reason: "could not move the finished file into place (errno \(errno))")
            }
        } catch let error as KaizenError {
            try? FileManager.default.removeItem(at: tmp)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw KaizenError.io(file: url.path, location: nil, reason: "could not write: \(error.localizedDescription)")
        }
    }
}

/// Reads a whole file with an error that names it.
public enum FileBytes {
    public static func read(_ url: URL) throws -> Data {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw KaizenError.io(file: url.path, location: nil, reason: "file not found")
        }
        do { return try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw KaizenError.io(file: url.path, location: nil, reason: "cannot read: \(error.localizedDescription)")
        }
    }
}
