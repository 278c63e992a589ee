import Foundation
import Kaizen

/// Read access to the demo's results as parsed from results.json, so the report is drawn from those
/// numbers alone. A missing or mistyped entry is an error that names its path.
struct DemoResults {
    let value: Any?
    let path: String

    init(_ value: Any?, path: String = "results") {
        self.value = value
        self.path = path
    }

    /// Parses results.json's bytes.
    init(json: Data) throws {
        self.init(try JSONSerialization.jsonObject(with: json))
    }

    subscript(key: String) -> DemoResults {
        DemoResults((value as? [String: Any])?[key], path: "\(path).\(key)")
    }

    var exists: Bool { value != nil && !(value is NSNull) }

    private func missing(_ what: String) -> KaizenError {
        KaizenError.invalidArgument(name: "results.json", detail: "\(path) is \(exists ? "not \(what)" : "missing"); re-run `kaizen demo` to write it")
    }

    func double() throws -> Double {
        if let n = value as? NSNumber { return n.doubleValue }
        if let d = value as? Double { return d }
        if let i = value as? Int { return Double(i) }
        throw missing("a number")
    }

    func int() throws -> Int { Int(try double()) }

    func string() throws -> String {
        guard let s = value as? String else { throw missing("a string") }
        return s
    }

    func array() throws -> [DemoResults] {
        guard let a = value as? [Any] else { throw missing("an array") }
        return a.enumerated().map { DemoResults($0.element, path: "\(path)[\($0.offset)]") }
    }

    func doubles() throws -> [Double] { try array().map { try $0.double() } }
    func strings() throws -> [String] { try array().map { try $0.string() } }

    /// `[[x, y], ...]` as points.
    func points() throws -> [(Double, Double)] {
        try array().map { p in
            let xy = try p.doubles()
            guard xy.count == 2 else { throw p.missing("an [x, y] pair") }
            return (xy[0], xy[1])
        }
    }

    /// Points as stored: `[[x, y], ...]`, rounded to 4 significant decimals to keep the file small.
    static func store(_ points: [(Double, Double)]) -> [[Double]] {
        points.map { [($0.0 * 1e4).rounded() / 1e4, ($0.1 * 1e4).rounded() / 1e4] }
    }
}

/// Formatting shared by the stages' tables and summaries.
enum DemoFormat {
    static func percent(_ v: Double) -> String { String(format: "%.1f%%", 100 * v) }
    static func decimal(_ v: Double, _ places: Int = 3) -> String { String(format: "%.\(places)f", v) }
}
