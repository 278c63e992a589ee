/// A change θ′ to a model's parameters, by dotted parameter name (dense): the tuned model is the base
/// with θ + θ′. Export it as is, as a `SparseParameterChange`, or merge it into a base model.
public struct ParameterChange: Sendable {
    /// (parameter name, change) pairs; each change has its parameter's shape.
    public var entries: [(name: String, value: Tensor)]

    public init(entries: [(name: String, value: Tensor)]) { self.entries = entries }

    /// Σ|θ′| over all entries.
    public var l1Norm: Double { entries.reduce(0) { $0 + ChangeMath.sum($1.value) { Double(Swift.abs($0)) } } }
    /// Σθ′² over all entries.
    public var squaredL2Norm: Double { entries.reduce(0) { $0 + ChangeMath.sum($1.value) { Double($0) * Double($0) } } }
    /// Number of scalars in all entries.
    public var scalarCount: Int { entries.reduce(0) { $0 + $1.value.count } }

    /// Number of entries with |θ′| > threshold.
    public func nonzeroCount(threshold: Float = 0) -> Int {
        entries.reduce(0) { total, e in
            let v = e.value.contiguousValues()
            let p = v.basePointer
            var n = 0
            for i in 0..<v.count where Swift.abs(p[i]) > threshold { n += 1 }
            return total + n
        }
    }

    /// The entries with |θ′| > threshold as (flat index, value) lists per parameter.
    public func sparse(threshold: Float = 0) -> SparseParameterChange {
        SparseParameterChange(entries: entries.map { e in
            let v = e.value.contiguousValues()
            let p = v.basePointer
            var indices: [Int] = [], values: [Float] = []
            for i in 0..<v.count where Swift.abs(p[i]) > threshold { indices.append(i); values.append(p[i]) }
            return SparseParameterChange.Entry(name: e.name, shape: v.shape, indices: indices, values: values)
        })
    }

    /// Adds `scale` · θ′ to the named parameters of `model` in place (θ ← θ + scale·θ′). Every name
    /// must exist with the same shape; nothing is changed when it throws.
    public func merge(into model: any Module, scale: Float = 1) throws {
        let targets = try ChangeMath.resolve(entries.map { ($0.name, $0.value.shape) }, in: model)
        for (e, p) in zip(entries, targets) {
            let v = e.value.contiguousValues()
            let src = v.basePointer
            p.withMutableValues { w in for i in 0..<w.count { w[i] += scale * src[i] } }
        }
    }
}

/// The non-zero part of a `ParameterChange`: per parameter its shape, the flat (row-major) indices of
/// the kept entries and their values. Codable, so it can be written as JSON next to the base weights.
public struct SparseParameterChange: Sendable, Codable, Equatable {
    /// One parameter's kept entries.
    public struct Entry: Sendable, Codable, Equatable {
        public var name: String
        public var shape: [Int]
        public var indices: [Int]
        public var values: [Float]

        public init(name: String, shape: [Int], indices: [Int], values: [Float]) {
            self.name = name; self.shape = shape; self.indices = indices; self.values = values
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    /// Number of stored (index, value) pairs.
    public var storedCount: Int { entries.reduce(0) { $0 + $1.values.count } }

    /// The dense change (zeros where nothing is stored). Throws on indices outside the shape.
    public func dense() throws -> ParameterChange {
        ParameterChange(entries: try entries.map { e in
            guard e.indices.count == e.values.count else {
                throw KaizenError.shapeMismatch(op: "SparseParameterChange.dense", detail: "\(e.name): \(e.indices.count) indices for \(e.values.count) values")
            }
            let t = Tensor.zeros(e.shape)
            let p = t.basePointer
            for (i, v) in zip(e.indices, e.values) {
                guard i >= 0 && i < t.count else {
                    throw KaizenError.invalidArgument(name: e.name, detail: "sparse index \(i) outside a parameter of \(t.count) scalars")
                }
                p[i] = v
            }
            return (e.name, t)
        })
    }

    /// Adds `scale` · θ′ to the named parameters of `model` in place.
    public func merge(into model: any Module, scale: Float = 1) throws {
        try dense().merge(into: model, scale: scale)
    }
}

/// Small raw-buffer helpers shared by the change and penalty code.
enum ChangeMath {
    static func sum(_ t: Tensor, _ f: (Float) -> Double) -> Double {
        let v = t.contiguousValues()
        let p = v.basePointer
        var s = 0.0
        for i in 0..<v.count { s += f(p[i]) }
        return s
    }

    /// The parameters of `model` with the given names and shapes, in order; throws naming every
    /// unknown name or wrong shape.
    static func resolve(_ wanted: [(String, [Int])], in model: any Module) throws -> [Parameter] {
        let byName = Dictionary(model.namedParameters(includeShared: true).map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
        var out: [Parameter] = [], problems: [String] = []
        for (name, shape) in wanted {
            guard let p = byName[name] else { problems.append("unknown parameter '\(name)'"); continue }
            guard p.shape == shape else {
                problems.append("'\(name)' has shape \(Shape.describe(p.shape)), change has \(Shape.describe(shape))"); continue
            }
            out.append(p)
        }
        guard problems.isEmpty else {
            let known = byName.keys.sorted().prefix(8).joined(separator: ", ")
            throw KaizenError.invalidArgument(name: "parameter names", detail: problems.joined(separator: "; ") + " (the model has e.g.: \(known))")
        }
        return out
    }

    /// A private copy of a tensor's values.
    static func copy(_ t: Tensor) -> Tensor {
        let v = t.contiguousValues()
        let out = Tensor(uninitializedShape: v.shape)
        out.basePointer.update(from: v.basePointer, count: v.count)
        return out
    }
}
