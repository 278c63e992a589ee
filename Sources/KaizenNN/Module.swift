/// A neural-network component that owns parameters, buffers and child modules, each listed
/// explicitly under its PyTorch name (no reflection). Names compose with dots, giving state-dict
/// keys such as `blocks.0.conv.weight`.
///
/// Conforming classes implement the three `local`/`named` listings they need (all default to empty)
/// and store `trainingMode`; traversal, train/eval, freezing and state dicts come from extensions.
public protocol Module: AnyObject {
    /// Parameters owned directly by this module, with local names (`weight`, `bias`).
    func localParameters() -> [(String, Parameter)]
    /// Buffers owned directly by this module (`running_mean`).
    func localBuffers() -> [(String, Buffer)]
    /// Direct children with their local names (`conv`, `0`).
    func namedChildren() -> [(String, any Module)]
    /// Whether the module behaves as in training (dropout active, batch statistics). Set it for a
    /// whole tree with `train()` / `eval()`.
    var trainingMode: Bool { get set }
}

extension Module {
    public func localParameters() -> [(String, Parameter)] { [] }
    public func localBuffers() -> [(String, Buffer)] { [] }
    public func namedChildren() -> [(String, any Module)] { [] }
}

/// A module with a single tensor input and output (what `Sequential` chains).
public protocol Layer: Module {
    func callAsFunction(_ x: Tensor) throws -> Tensor
}

/// Joins dotted names like candle's `pp`: `ModulePath.join("blocks.0", "conv")` is `blocks.0.conv`.
public enum ModulePath {
    public static func join(_ prefix: String, _ name: String) -> String {
        if prefix.isEmpty { return name }
        if name.isEmpty { return prefix }
        return prefix + "." + name
    }
}

extension Module {
    /// This module and every descendant, depth first, with dotted names (`""` for self).
    public func namedModules(prefix: String = "") -> [(String, any Module)] {
        var out: [(String, any Module)] = [(prefix, self)]
        for (name, child) in namedChildren() {
            out.append(contentsOf: child.namedModules(prefix: ModulePath.join(prefix, name)))
        }
        return out
    }

    /// All parameters with dotted names, in registration order. A parameter shared by two modules
    /// (weight tying) is listed once, under its first name, unless `includeShared` is set.
    public func namedParameters(prefix: String = "", includeShared: Bool = false) -> [(String, Parameter)] {
        var seen = Set<ObjectIdentifier>()
        var out: [(String, Parameter)] = []
        for (path, module) in namedModules(prefix: prefix) {
            for (name, p) in module.localParameters() where includeShared || seen.insert(ObjectIdentifier(p)).inserted {
                out.append((ModulePath.join(path, name), p))
            }
        }
        return out
    }

    /// All buffers with dotted names.
    public func namedBuffers(prefix: String = "") -> [(String, Buffer)] {
        namedModules(prefix: prefix).flatMap { path, module in
            module.localBuffers().map { (ModulePath.join(path, $0.0), $0.1) }
        }
    }

    /// The parameter with this dotted name, if any.
    public func parameter(named name: String) -> Parameter? {
        namedParameters(includeShared: true).first { $0.0 == name }?.1
    }

    /// The buffer with this dotted name, if any.
    public func buffer(named name: String) -> Buffer? {
        namedBuffers().first { $0.0 == name }?.1
    }

    /// Every distinct parameter.
    public func parameters() -> [Parameter] { namedParameters().map(\.1) }

    /// The parameters that are not frozen (what an optimiser should receive).
    public func trainableParameters() -> [Parameter] { parameters().filter { !$0.isFrozen } }

    /// Number of scalars in all distinct parameters.
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }

    /// Number of scalars in trainable parameters.
    public var trainableParameterCount: Int { trainableParameters().reduce(0) { $0 + $1.count } }

    /// Sets training mode on this module and all descendants.
    public func train(_ on: Bool = true) {
        for (_, m) in namedModules() { m.trainingMode = on }
    }

    /// Evaluation mode for the whole tree (dropout off, running statistics used).
    public func eval() { train(false) }

    /// Freezes the parameters whose dotted name satisfies `predicate` (all by default).
    public func freeze(matching predicate: (String) -> Bool = { _ in true }) {
        for (name, p) in namedParameters() where predicate(name) { p.isFrozen = true }
    }

    /// Unfreezes the parameters whose dotted name satisfies `predicate` (all by default).
    public func unfreeze(matching predicate: (String) -> Bool = { _ in true }) {
        for (name, p) in namedParameters() where predicate(name) { p.isFrozen = false }
    }

    /// Freezes every parameter under one of the given dotted prefixes (`["backbone", "head.bias"]`).
    public func freeze(prefixes: [String]) {
        freeze { name in prefixes.contains { name == $0 || name.hasPrefix($0 + ".") } }
    }

    /// Clears all parameter gradients.
    public func zeroGrad() {
        for p in parameters() { p.zeroGrad() }
    }
}
