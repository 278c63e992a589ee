import Foundation
import KaizenTensor

/// A value decoded from a Python pickle (the subset PyTorch checkpoints use). Containers are
/// reference types because pickles memoize a container and fill it afterwards.
public indirect enum PickleValue: CustomStringConvertible {
    case none
    case bool(Bool)
    case int(Int64)
    /// An integer too wide for Int64 (little-endian two's complement bytes), e.g. the legacy magic number.
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes(Data)
    case tuple([PickleValue])
    case list(PickleList)
    case dict(PickleDict)
    case global(module: String, name: String)
    /// A call the reader does not interpret: callable(args), with any BUILD state.
    case object(callable: PickleValue, args: [PickleValue], state: PickleValue?)
    case persistentID(PickleValue)
    /// A tensor whose storage bytes are resolved after reading.
    case tensor(TensorReference)

    public var description: String {
        switch self {
        case .none: return "None"
        case let .bool(b): return b ? "True" : "False"
        case let .int(i): return String(i)
        case let .bigInt(b): return "bigint(\(b.count) bytes)"
        case let .float(f): return String(f)
        case let .string(s): return "'\(s)'"
        case let .bytes(d): return "bytes(\(d.count))"
        case let .tuple(t): return "(" + t.map(\.description).joined(separator: ", ") + ")"
        case let .list(l): return "[" + l.items.map(\.description).joined(separator: ", ") + "]"
        case let .dict(d): return "{" + d.items.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + "}"
        case let .global(m, n): return "\(m).\(n)"
        case let .object(c, a, _): return "\(c)(\(a.map(\.description).joined(separator: ", ")))"
        case let .persistentID(p): return "persistent(\(p))"
        case let .tensor(t): return "tensor(\(t.dtype.rawValue) \(Shape.describe(t.shape)))"
        }
    }

    public var stringValue: String? { if case let .string(s) = self { return s }; return nil }
    public var intValue: Int64? {
        switch self {
        case let .int(i): return i
        case let .bool(b): return b ? 1 : 0
        default: return nil
        }
    }
    public var doubleValue: Double? {
        switch self {
        case let .float(f): return f
        case let .int(i): return Double(i)
        default: return nil
        }
    }
}

/// A mutable pickled list.
public final class PickleList { public var items: [PickleValue] = [] }

/// A mutable pickled dict, keeping insertion order (OrderedDict state dicts rely on it).
public final class PickleDict {
    public var items: [(PickleValue, PickleValue)] = []
    /// The value for a string key.
    public subscript(key: String) -> PickleValue? {
        items.first { $0.0.stringValue == key }?.1
    }
}

/// Where a tensor's elements live: a storage (by key) of a dtype, an offset and strides in elements.
public struct TensorReference: Sendable {
    public let storageKey: String
    public let dtype: DType
    public let offset: Int
    public let shape: [Int]
    public let strides: [Int]
}

/// A stack machine for pickle protocols 2-4, enough for `torch.save` output. Unknown opcodes and
/// truncation are errors naming the file and the byte offset.
struct PickleReader {
    let data: Data
    let file: String
    var position: Int
    /// Maps a persistent id to a value (storages in PyTorch checkpoints).
    var persistentLoad: (PickleValue) throws -> PickleValue

    init(data: Data, file: String, start: Int = 0, persistentLoad: @escaping (PickleValue) throws -> PickleValue = { .persistentID($0) }) {
        self.data = data
        self.file = file
        position = start
        self.persistentLoad = persistentLoad
    }

    func fail(_ reason: String, at offset: Int? = nil) -> KaizenError {
        .io(file: file, location: "offset \(offset ?? position)", reason: reason)
    }

    mutating func byte() throws -> UInt8 {
        guard position < data.count else { throw fail("truncated pickle (unexpected end of file)") }
        defer { position += 1 }
        return data[data.startIndex + position]
    }

    mutating func bytes(_ n: Int) throws -> Data {
        guard n >= 0, position + n <= data.count else { throw fail("truncated pickle: \(n) bytes needed, \(data.count - position) left") }
        defer { position += n }
        return data.subdata(in: (data.startIndex + position)..<(data.startIndex + position + n))
    }

    mutating func uint(_ n: Int) throws -> UInt64 {
        let b = try bytes(n)
        return b.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }

    mutating func line() throws -> String {
        var out: [UInt8] = []
        while true {
            let b = try byte()
            if b == 0x0A { break }
            out.append(b)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes one pickle (up to STOP).
    mutating func load() throws -> PickleValue {
        var stack: [PickleValue] = []
        var marks: [Int] = []
        var memo: [Int: PickleValue] = [:]
        func pop() throws -> PickleValue {
            guard let v = stack.popLast() else { throw fail("pickle stack underflow") }
            return v
        }
        func popMark() throws -> [PickleValue] {
            guard let m = marks.popLast(), m <= stack.count else { throw fail("pickle MARK missing") }
            defer { stack.removeSubrange(m...) }
            return Array(stack[m...])
        }
        while true {
            let opOffset = position
            let op = try byte()
            switch op {
            case 0x80: _ = try byte()                                   // PROTO
            case 0x95: _ = try bytes(8)                                 // FRAME
            case 0x2E: return try pop()                                 // STOP
            case 0x28: marks.append(stack.count)                        // MARK
            case 0x30: _ = try pop()                                    // POP
            case 0x31: _ = try popMark()                                // POP_MARK
            case 0x32: guard let top = stack.last else { throw fail("DUP on empty stack") }; stack.append(top)
            case 0x4E: stack.append(.none)                              // NONE
            case 0x88: stack.append(.bool(true))
            case 0x89: stack.append(.bool(false))
            case 0x4A: stack.append(.int(Int64(Int32(truncatingIfNeeded: try uint(4)))))  // BININT
            case 0x4B: stack.append(.int(Int64(try byte())))            // BININT1
            case 0x4D: stack.append(.int(Int64(try uint(2))))           // BININT2
            case 0x8A, 0x8B:                                            // LONG1, LONG4
                let n = op == 0x8A ? Int(try byte()) : Int(try uint(4))
                let raw = [UInt8](try bytes(n))
                if n == 0 { stack.append(.int(0)) } else if n <= 8 {
                    var v: UInt64 = 0
                    for (i, b) in raw.enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
                    if raw[n - 1] & 0x80 != 0 && n < 8 { v |= ~UInt64(0) << (8 * UInt64(n)) }  // sign-extend
                    stack.append(.int(Int64(bitPattern: v)))
                } else { stack.append(.bigInt(raw)) }
            case 0x47: stack.append(.float(Double(bitPattern: UInt64(bigEndian: try bytes(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }))))
            case 0x58, 0x8C, 0x8D:                                      // BINUNICODE, SHORT_, 8
                let n = op == 0x8C ? Int(try byte()) : Int(try uint(op == 0x58 ? 4 : 8))
                stack.append(.string(String(decoding: try bytes(n), as: UTF8.self)))
            case 0x55, 0x54:                                            // SHORT_BINSTRING, BINSTRING
                let n = op == 0x55 ? Int(try byte()) : Int(try uint(4))
                stack.append(.string(String(decoding: try bytes(n), as: UTF8.self)))
            case 0x42, 0x43:                                            // BINBYTES, SHORT_BINBYTES
                let n = op == 0x43 ? Int(try byte()) : Int(try uint(4))
                stack.append(.bytes(try bytes(n)))
            case 0x29: stack.append(.tuple([]))                         // EMPTY_TUPLE
            case 0x74: stack.append(.tuple(try popMark()))              // TUPLE
            case 0x85: stack.append(.tuple([try pop()]))
            case 0x86: let b = try pop(), a = try pop(); stack.append(.tuple([a, b]))
            case 0x87: let c = try pop(), b = try pop(), a = try pop(); stack.append(.tuple([a, b, c]))
            case 0x5D: stack.append(.list(PickleList()))                // EMPTY_LIST
            case 0x6C: let l = PickleList(); l.items = try popMark(); stack.append(.list(l))  // LIST
            case 0x61, 0x65:                                            // APPEND, APPENDS
                let items = op == 0x61 ? [try pop()] : try popMark()
                guard case let .list(l)? = stack.last else { throw fail("APPEND to a non-list", at: opOffset) }
                l.items += items
            case 0x7D: stack.append(.dict(PickleDict()))                // EMPTY_DICT
            case 0x64:                                                  // DICT
                let items = try popMark(), d = PickleDict()
                for i in stride(from: 0, to: items.count - 1, by: 2) { d.items.append((items[i], items[i + 1])) }
                stack.append(.dict(d))
            case 0x73, 0x75:                                            // SETITEM, SETITEMS
                let items: [PickleValue]
                if op == 0x73 { let v = try pop(), k = try pop(); items = [k, v] } else { items = try popMark() }
                guard let top = stack.last else { throw fail("SETITEM on empty stack", at: opOffset) }
                switch top {
                case let .dict(d): for i in stride(from: 0, to: items.count - 1, by: 2) { d.items.append((items[i], items[i + 1])) }
                case .object: break  // items of an object we do not interpret
                default: throw fail("SETITEM on a non-dict", at: opOffset)
                }
            case 0x8F: stack.append(.list(PickleList()))                // EMPTY_SET (as a list)
            case 0x90: let items = try popMark(); if case let .list(l)? = stack.last { l.items += items }  // ADDITEMS
            case 0x63:                                                  // GLOBAL
                let module = try line(), name = try line()
                stack.append(.global(module: module, name: name))
            case 0x93:                                                  // STACK_GLOBAL
                let name = try pop(), module = try pop()
                stack.append(.global(module: module.stringValue ?? "", name: name.stringValue ?? ""))
            case 0x52:                                                  // REDUCE
                let args = try pop(), callable = try pop()
                guard case let .tuple(a) = args else { throw fail("REDUCE arguments are not a tuple", at: opOffset) }
                stack.append(try reduce(callable, a, at: opOffset))
            case 0x81:                                                  // NEWOBJ
                let args = try pop(), cls = try pop()
                guard case let .tuple(a) = args else { throw fail("NEWOBJ arguments are not a tuple", at: opOffset) }
                stack.append(try reduce(cls, a, at: opOffset))
            case 0x62:                                                  // BUILD
                let state = try pop(), obj = try pop()
                if case let .object(c, a, _) = obj { stack.append(.object(callable: c, args: a, state: state)) } else { stack.append(obj) }
            case 0x51: stack.append(try persistentLoad(try pop()))      // BINPERSID
            case 0x71: guard let top = stack.last else { throw fail("BINPUT on empty stack") }; memo[Int(try byte())] = top
            case 0x72: guard let top = stack.last else { throw fail("LONG_BINPUT on empty stack") }; memo[Int(try uint(4))] = top
            case 0x94: guard let top = stack.last else { throw fail("MEMOIZE on empty stack") }; memo[memo.count] = top
            case 0x68, 0x6A:                                            // BINGET, LONG_BINGET
                let key = op == 0x68 ? Int(try byte()) : Int(try uint(4))
                guard let v = memo[key] else { throw fail("memo key \(key) missing", at: opOffset) }
                stack.append(v)
            default:
                throw fail("unsupported pickle opcode 0x\(String(op, radix: 16))", at: opOffset)
            }
        }
    }

    /// Interprets the calls that build tensors and ordered dicts; keeps the rest as objects.
    func reduce(_ callable: PickleValue, _ args: [PickleValue], at offset: Int) throws -> PickleValue {
        guard case let .global(module, name) = callable else { return .object(callable: callable, args: args, state: nil) }
        switch (module, name) {
        case ("collections", "OrderedDict"):
            return .dict(PickleDict())
        case ("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_tensor"):
            guard args.count >= 4, case let .tensor(storage) = args[0], let off = args[1].intValue,
                  case let .tuple(size) = args[2], case let .tuple(stride) = args[3] else {
                throw fail("malformed _rebuild_tensor_v2 arguments", at: offset)
            }
            return .tensor(TensorReference(storageKey: storage.storageKey, dtype: storage.dtype, offset: Int(off) + storage.offset,
                                           shape: size.map { Int($0.intValue ?? 0) }, strides: stride.map { Int($0.intValue ?? 0) }))
        case ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_parameter_with_state"):
            guard let first = args.first else { throw fail("malformed _rebuild_parameter", at: offset) }
            return first
        default:
            return .object(callable: callable, args: args, state: nil)
        }
    }
}
