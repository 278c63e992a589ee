import Foundation
import KaizenTensor

/// A PyTorch checkpoint (`torch.save`), in the zip format (torch >= 1.6) or the legacy format
/// (magic number, protocol 1001, sys_info, the pickled object, the storage keys, then raw
/// storages). Tensors with offsets, non-contiguous strides or shared storages are materialised
/// row-major. A `{'state_dict': ...}` wrapper is unwrapped.
public struct TorchCheckpoint {
    /// Tensor entries of the state dict, in file order.
    public let stateDict: [(String, ArrayData)]
    /// The whole unpickled object (for epoch, notes, learning rate, ...).
    public let topLevel: PickleValue

    static let legacyMagic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]
    static let storageTypes: [String: DType] = [
        "FloatStorage": .f32, "HalfStorage": .f16, "BFloat16Storage": .bf16, "DoubleStorage": .f64,
        "LongStorage": .i64, "IntStorage": .i32, "ShortStorage": .i16, "CharStorage": .i8,
        "ByteStorage": .u8, "BoolStorage": .bool,
    ]

    public static func load(_ url: URL) throws -> TorchCheckpoint {
        let data = try FileBytes.read(url)
        let file = url.path
        let (top, storages) = ZipArchive.isZip(data) ? try loadZip(data, file: file) : try loadLegacy(data, file: file)
        var entries: [(String, ArrayData)] = []
        let dict = stateDictValue(top)
        for (key, value) in dict?.items ?? [] {
            guard let name = key.stringValue, case let .tensor(ref) = value else { continue }
            entries.append((name, try materialise(ref, storages: storages, file: file, name: name)))
        }
        guard dict != nil else {
            throw KaizenError.io(file: file, location: nil, reason: "no state dict found (top level is \(top.description.prefix(80)))")
        }
        return TorchCheckpoint(stateDict: entries, topLevel: top)
    }

    /// The state dict with `prefix` removed from names that have it (e.g. `module.` from DataParallel).
    public func strippingPrefix(_ prefix: String) -> [(String, ArrayData)] {
        stateDict.map { ($0.0.hasPrefix(prefix) ? String($0.0.dropFirst(prefix.count)) : $0.0, $0.1) }
    }

    /// Floating-point entries as Float32 tensors (integer buffers such as `num_batches_tracked` included as floats).
    public func tensors() throws -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (name, a) in stateDict { out[name] = try a.floatTensor() }
        return out
    }

    /// `state_dict` (or `model`) inside a wrapper dict, else the top-level dict itself.
    static func stateDictValue(_ top: PickleValue) -> PickleDict? {
        guard case let .dict(d) = top else { return nil }
        for key in ["state_dict", "model", "model_state_dict"] {
            if case let .dict(inner)? = d[key] { return inner }
        }
        return d
    }

    /// A storage reference from a persistent id ('storage', type, key, location, numel, ...).
    static func storageReference(_ pid: PickleValue, file: String) throws -> PickleValue {
        guard case let .tuple(t) = pid, t.count >= 5, t[0].stringValue == "storage", case let .global(_, typeName) = t[1],
              let key = t[2].stringValue, let numel = t[4].intValue else {
            throw KaizenError.io(file: file, location: "persistent id", reason: "unexpected persistent id \(pid)")
        }
        guard let dtype = storageTypes[typeName] else {
            throw KaizenError.io(file: file, location: "storage \(key)", reason: "unsupported storage type \(typeName)")
        }
        return .tensor(TensorReference(storageKey: key, dtype: dtype, offset: 0, shape: [Int(numel)], strides: [1]))
    }

    static func loadZip(_ data: Data, file: String) throws -> (PickleValue, [String: Data]) {
        let zip = try ZipArchive(data: data, file: file)
        guard let pkl = zip.entries.keys.filter({ $0.hasSuffix("/data.pkl") || $0 == "data.pkl" }).min() else {
            throw KaizenError.io(file: file, location: nil, reason: "zip archive has no data.pkl: not a PyTorch checkpoint")
        }
        let root = String(pkl.dropLast("data.pkl".count))
        var reader = PickleReader(data: try zip.contents(of: pkl), file: "\(file):\(pkl)") { pid in try storageReference(pid, file: file) }
        let top = try reader.load()
        var storages: [String: Data] = [:]
        for name in zip.entries.keys where name.hasPrefix(root + "data/") {
            storages[String(name.dropFirst((root + "data/").count))] = try zip.contents(of: name)
        }
        return (top, storages)
    }

    static func loadLegacy(_ data: Data, file: String) throws -> (PickleValue, [String: Data]) {
        var reader = PickleReader(data: data, file: file)
        guard case let .bigInt(magic) = try reader.load(), magic == legacyMagic else {
            throw KaizenError.io(file: file, location: "offset 0", reason: "not a PyTorch checkpoint (neither zip nor the legacy magic number)")
        }
        guard try reader.load().intValue == 1001 else {
            throw KaizenError.io(file: file, location: "offset \(reader.position)", reason: "unsupported legacy protocol version")
        }
        _ = try reader.load()  // sys_info
        var dtypes: [String: DType] = [:]
        reader.persistentLoad = { pid in
            let ref = try storageReference(pid, file: file)
            if case let .tensor(r) = ref { dtypes[r.storageKey] = r.dtype }
            return ref
        }
        let top = try reader.load()
        guard case let .list(keys) = try reader.load() else {
            throw KaizenError.io(file: file, location: "offset \(reader.position)", reason: "missing storage key list")
        }
        var storages: [String: Data] = [:]
        for keyValue in keys.items {
            guard let key = keyValue.stringValue, let dtype = dtypes[key] else {
                throw KaizenError.io(file: file, location: "offset \(reader.position)", reason: "storage key \(keyValue) was never referenced")
            }
            let countOffset = reader.position
            let n = Int(try reader.uint(8))
            guard n >= 0, reader.position + n * dtype.size <= data.count else {
                throw KaizenError.io(file: file, location: "offset \(countOffset)", reason: "truncated: storage \(key) needs \(n * dtype.size) bytes, \(data.count - reader.position) left")
            }
            storages[key] = try reader.bytes(n * dtype.size)
        }
        return (top, storages)
    }

    /// Copies a (possibly strided, offset) view of a storage into row-major bytes.
    static func materialise(_ ref: TensorReference, storages: [String: Data], file: String, name: String) throws -> ArrayData {
        guard let storage = storages[ref.storageKey] else {
            throw KaizenError.io(file: file, location: "tensor '\(name)'", reason: "storage \(ref.storageKey) is missing")
        }
        let size = ref.dtype.size, n = Shape.count(ref.shape)
        var maxIndex = ref.offset
        for (d, s) in zip(ref.shape, ref.strides) where d > 0 { maxIndex += (d - 1) * s }
        guard n == 0 || (ref.offset >= 0 && (maxIndex + 1) * size <= storage.count) else {
            throw KaizenError.io(file: file, location: "tensor '\(name)'", reason: "view \(Shape.describe(ref.shape)) at offset \(ref.offset) exceeds its storage of \(storage.count / size) elements")
        }
        if ref.strides == Shape.contiguousStrides(ref.shape) || n <= 1 {
            let start = ref.offset * size
            return try ArrayData(dtype: ref.dtype, shape: ref.shape, bytes: storage.subdata(in: (storage.startIndex + start)..<(storage.startIndex + start + n * size)))
        }
        var out = Data(count: n * size)
        if n > 0 {
            storage.withUnsafeBytes { (src: UnsafeRawBufferPointer) in
                out.withUnsafeMutableBytes { (dst: UnsafeMutableRawBufferPointer) in
                    let rank = ref.shape.count
                    var index = [Int](repeating: 0, count: rank)
                    for i in 0..<n {
                        var e = ref.offset
                        for d in 0..<rank { e += index[d] * ref.strides[d] }
                        for b in 0..<size { dst[i * size + b] = src[e * size + b] }
                        var d = rank - 1
                        while d >= 0 {
                            index[d] += 1
                            if index[d] < ref.shape[d] { break }
                            index[d] = 0
                            d -= 1
                        }
                    }
                }
            }
        }
        return try ArrayData(dtype: ref.dtype, shape: ref.shape, bytes: out)
    }
}
