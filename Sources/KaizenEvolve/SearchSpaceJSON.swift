import Foundation

/// SPACE.json (the `kaizen evolve --space` format) to a `SearchSpace`, and assignments to JSON.
///
/// An object whose keys name the variables, each one of
/// `{"type": "scalar", "lower": a, "upper": b, "log": false, "init": v}` (bounds and init optional;
/// also `"sigma"` for unbounded scalars), `{"type": "array", "shape": [n, ...], "lower": a, "upper": b}`
/// (also `"init"`, `"log"`, `"sigma"`), `{"type": "choice", "values": [v1, v2, ...]}` (also `"init"`:
/// one of the values, and `"shape"` for an array of independent choices). Variables are ordered by
/// key (JSON objects have no order), which fixes the layout of the standardised vector.
public enum SearchSpaceJSON {
    /// Parses SPACE.json; `source` names the file in error messages.
    public static func parse(_ data: Data, source: String = "SPACE.json") throws -> SearchSpace {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw KaizenError.io(file: source, location: nil, reason: "is not valid JSON (\(error))")
        }
        guard case let .object(object) = root else {
            throw KaizenError.io(file: source, location: nil, reason: "must be a JSON object whose keys name the variables")
        }
        guard !object.isEmpty else { throw KaizenError.io(file: source, location: nil, reason: "defines no variables") }
        var variables: [Variable] = []
        for key in object.keys.sorted() {
            do {
                variables.append(try variable(key, object[key] ?? .null))
            } catch let KaizenError.invalidArgument(_, detail) {
                throw KaizenError.io(file: source, location: "key \"\(key)\"", reason: detail)
            }
        }
        return try SearchSpace(variables)
    }

    /// Reads and parses a SPACE.json file.
    public static func load(path: String) throws -> SearchSpace {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KaizenError.io(file: path, location: nil, reason: "cannot be read (missing or not a file)")
        }
        return try parse(data, source: path)
    }

    private static func variable(_ name: String, _ spec: JSONValue) throws -> Variable {
        func bad(_ detail: String) -> KaizenError { .invalidArgument(name: name, detail: detail) }
        guard case let .object(spec) = spec else { throw bad("must be an object with a \"type\"") }
        guard case let .string(type)? = spec["type"] else { throw bad("needs \"type\": \"scalar\", \"array\" or \"choice\"") }
        let known: Set<String>
        switch type {
        case "scalar": known = ["type", "lower", "upper", "log", "init", "sigma"]
        case "array": known = ["type", "shape", "lower", "upper", "log", "init", "sigma"]
        case "choice": known = ["type", "values", "init", "shape"]
        default: throw bad("unknown type \"\(type)\" (expected \"scalar\", \"array\" or \"choice\")")
        }
        if let extra = spec.keys.filter({ !known.contains($0) }).sorted().first {
            throw bad("unknown field \"\(extra)\" for type \"\(type)\" (allowed: \(known.sorted().joined(separator: ", ")))")
        }
        func number(_ field: String) throws -> Double? {
            switch spec[field] {
            case nil, .null?: return nil
            case let .number(x)?: return x
            default: throw bad("\"\(field)\" must be a number")
            }
        }
        func shape() throws -> [Int] {
            guard let raw = spec["shape"] else { return [] }
            let message = "\"shape\" must be a list of positive integers, e.g. [3] or [2, 4]"
            guard case let .array(list) = raw, !list.isEmpty else { throw bad(message) }
            return try list.map { item in
                guard case let .number(x) = item, x >= 1, x == x.rounded(), x < 1e9 else { throw bad(message) }
                return Int(x)
            }
        }
        switch type {
        case "choice":
            guard case let .array(raw)? = spec["values"], !raw.isEmpty else { throw bad("a choice needs a non-empty \"values\" list") }
            let values = try raw.map { item -> ChoiceValue in
                guard let v = item.choiceValue else { throw bad("choice values must be numbers, strings or booleans") }
                return v
            }
            var initIndex = 0
            if let raw = spec["init"] {
                guard let v = raw.choiceValue, let i = values.firstIndex(of: v) else { throw bad("\"init\" must be one of \"values\"") }
                initIndex = i
            }
            return try Variable.choice(name, values: values, shape: try shape(), initialIndex: initIndex)
        default:
            if type == "array", spec["shape"] == nil { throw bad("an array needs \"shape\", e.g. [10]") }
            var log = false
            switch spec["log"] {
            case nil, .null?: break
            case let .bool(b)?: log = b
            default: throw bad("\"log\" must be true or false")
            }
            var initial: [Double]?
            if let raw = spec["init"], raw != .null {
                guard let flat = raw.flatNumbers else { throw bad("\"init\" must be a number or a (nested) list of numbers") }
                initial = flat
            }
            return try Variable.continuous(name, shape: type == "array" ? try shape() : [], lower: try number("lower"),
                                           upper: try number("upper"), log: log, sigma: try number("sigma") ?? 1, initial: initial)
        }
    }

    /// The assignment as a JSON-compatible object: scalars as numbers, arrays as nested lists.
    public static func object(_ assignment: Assignment) -> [String: Any] {
        var out: [String: Any] = [:]
        for (i, name) in assignment.names.enumerated() {
            let shape = assignment.shapes[i]
            let flat: [Any]
            switch assignment.values[i] {
            case let .numbers(x): flat = x.map { $0 as Any }
            case let .choices(c): flat = c.map(jsonValue)
            }
            out[name] = nest(flat[...], shape: shape[...])
        }
        return out
    }

    /// The assignment as compact JSON text with sorted keys.
    public static func text(_ assignment: Assignment) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: object(assignment), options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    private static func jsonValue(_ v: ChoiceValue) -> Any {
        switch v {
        case let .number(x): return x
        case let .string(s): return s
        case let .bool(b): return b
        }
    }

    private static func nest(_ flat: ArraySlice<Any>, shape: ArraySlice<Int>) -> Any {
        guard let first = shape.first else { return flat.first as Any }
        let inner = shape.dropFirst().reduce(1, *)
        return (0..<first).map { i -> Any in
            let start = flat.startIndex + i * inner
            return nest(flat[start..<start + inner], shape: shape.dropFirst())
        }
    }
}

/// A parsed JSON document (JSONDecoder keeps booleans and numbers apart on every platform).
enum JSONValue: Decodable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let x = try? c.decode(Double.self) { self = .number(x) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    var choiceValue: ChoiceValue? {
        switch self {
        case let .number(x): return .number(x)
        case let .string(s): return .string(s)
        case let .bool(b): return .bool(b)
        default: return nil
        }
    }

    var flatNumbers: [Double]? {
        switch self {
        case let .number(x): return [x]
        case let .array(items):
            var out: [Double] = []
            for item in items {
                guard let inner = item.flatNumbers else { return nil }
                out += inner
            }
            return out
        default: return nil
        }
    }
}
