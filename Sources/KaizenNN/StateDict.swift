/// What disagrees between a module and a set of named tensors: keys the module expects but the
/// entries lack, keys the module does not know, and keys present on both sides with different shapes.
public struct StateDictMismatch: Sendable, Equatable, CustomStringConvertible {
    /// One key whose shapes disagree.
    public struct ShapeMismatch: Sendable, Equatable {
        public let name: String
        public let expected: [Int]
        public let got: [Int]

        public init(name: String, expected: [Int], got: [Int]) {
            self.name = name
            self.expected = expected
            self.got = got
        }
    }

    public var missing: [String] = []
    public var unexpected: [String] = []
    public var misshaped: [ShapeMismatch] = []

    public var isEmpty: Bool { missing.isEmpty && unexpected.isEmpty && misshaped.isEmpty }

    public var description: String {
        var parts: [String] = []
        if !missing.isEmpty { parts.append("missing keys (\(missing.count)): " + missing.joined(separator: ", ")) }
        if !unexpected.isEmpty { parts.append("unexpected keys (\(unexpected.count)): " + unexpected.joined(separator: ", ")) }
        if !misshaped.isEmpty {
            parts.append("shape mismatches (\(misshaped.count)): " + misshaped.map {
                "\($0.name) expected \(Shape.describe($0.expected)) got \($0.got.isEmpty ? "[] (scalar)" : Shape.describe($0.got))"
            }.joined(separator: "; "))
        }
        return parts.isEmpty ? "state dict matches" : parts.joined(separator: "\n")
    }
}

extension Module {
    /// Parameters then buffers of each module, parents before children (PyTorch's order), with
    /// dotted names. The tensors are snapshots: later training does not change them.
    /// Shared (tied) parameters appear under every name, as in PyTorch.
    public func stateDict() -> [(String, Tensor)] {
        stateEntries().map { ($0.0, RawCopy.owned($0.1)) }
    }

    /// The live tensors behind each state-dict key (parameters and buffers, not copied).
    func stateEntries() -> [(String, Tensor)] {
        namedModules().flatMap { path, module in
            module.localParameters().map { (ModulePath.join(path, $0.0), $0.1.value) }
                + module.localBuffers().map { (ModulePath.join(path, $0.0), $0.1.value) }
        }
    }

    /// Compares `entries` with this module's state-dict keys and shapes without changing anything.
    /// A 1-element tensor of any rank matches a scalar buffer such as `num_batches_tracked`.
    public func checkStateDict(_ entries: [String: Tensor]) -> StateDictMismatch {
        var report = StateDictMismatch()
        var expectedKeys = Set<String>()
        for (name, t) in stateEntries() {
            expectedKeys.insert(name)
            guard let given = entries[name] else { report.missing.append(name); continue }
            if !Self.shapesCompatible(expected: t.shape, got: given.shape) {
                report.misshaped.append(.init(name: name, expected: t.shape, got: given.shape))
            }
        }
        report.unexpected = entries.keys.filter { !expectedKeys.contains($0) }.sorted()
        return report
    }

    /// Copies values in place into parameters and buffers (frozen or not; gradients are untouched).
    /// Shape mismatches always fail; missing and unexpected keys fail only when `strict`. Every
    /// problem is reported in one error, and nothing is changed when it throws.
    public func loadStateDict(_ entries: [String: Tensor], strict: Bool = true) throws {
        var report = checkStateDict(entries)
        if !strict { report.missing = []; report.unexpected = [] }
        guard report.isEmpty else {
            throw KaizenError.tensorName(name: "state dict", reason: "cannot load:\n" + report.description)
        }
        for (name, t) in stateEntries() {
            guard let given = entries[name] else { continue }
            let src = given.shape == t.shape ? given : try given.contiguousValues().reshaped(t.shape)
            try RawCopy.copy(src, into: t, name: name)
        }
    }

    static func shapesCompatible(expected: [Int], got: [Int]) -> Bool {
        if expected == got { return true }
        return Shape.count(expected) == 1 && Shape.count(got) == 1 && (expected.count <= 1 && got.count <= 1)
    }
}
