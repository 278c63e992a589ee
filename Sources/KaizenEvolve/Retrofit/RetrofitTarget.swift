import Foundation
import KaizenNN

/// A set of AfterLearnER "aleph-parameters" of a trained model (Videau et al., "Evolutionary
/// Retrofitting", 2024): a few variables the optimiser searches, how a candidate's values change the
/// model, and how to put the model back. The variables' initial values reproduce the unchanged model,
/// so a run starts from the trained model and its recommendation is never worse on validation.
///
/// Targets that change a `Module` keep a snapshot of the tensors they touch: `apply` always starts
/// from the snapshot (applications do not accumulate) and `restore` writes the snapshot back.
public protocol RetrofitTarget: AnyObject {
    /// The variables of the search space (names are unique within a target).
    func variables() throws -> [Variable]
    /// Changes the model according to the values of this target's variables in `assignment`.
    func apply(_ assignment: Assignment) throws
    /// Writes back the tensors as they were when the target was created.
    func restore() throws
}

/// Builds an `Evolve.Objective` over one or more retrofit targets of a model that is not `Sendable`:
/// each evaluation applies every target, runs `loss` and leaves the model changed until the next
/// evaluation (call `restore` or `apply` with the recommendation afterwards). Evaluations are
/// serialised by a lock, so several workers are safe but give no speed-up.
public final class RetrofitObjective: @unchecked Sendable {
    private let lock = NSLock()
    private let targets: [any RetrofitTarget]
    private let loss: () throws -> Double

    /// `loss` evaluates the changed model (lower is better), e.g. minus a validation metric.
    public init(targets: [any RetrofitTarget], loss: @escaping () throws -> Double) {
        self.targets = targets
        self.loss = loss
    }

    /// The search space: the variables of all targets, in order.
    public func space() throws -> SearchSpace {
        try SearchSpace(targets.flatMap { try $0.variables() })
    }

    /// The objective to pass to `Evolve.minimize`.
    public var objective: Evolve.Objective {
        { [self] assignment in try self.evaluate(assignment) }
    }

    /// Applies `assignment` to every target and returns the loss of the changed model.
    public func evaluate(_ assignment: Assignment) throws -> Double {
        lock.lock()
        defer { lock.unlock() }
        for t in targets { try t.apply(assignment) }
        return try loss()
    }

    /// Applies `assignment` (e.g. the run's recommendation) and keeps the model changed.
    public func apply(_ assignment: Assignment) throws {
        lock.lock()
        defer { lock.unlock() }
        for t in targets { try t.apply(assignment) }
    }

    /// Restores every target's snapshot.
    public func restore() throws {
        lock.lock()
        defer { lock.unlock() }
        for t in targets { try t.restore() }
    }
}

/// Helpers shared by the module targets.
enum RetrofitSupport {
    /// The numeric values of `name` in `assignment`, checked against the expected count.
    static func values(_ assignment: Assignment, _ name: String, count: Int) throws -> [Double] {
        guard let v = assignment[name]?.numeric else {
            throw KaizenError.invalidArgument(name: "assignment", detail: "has no variable \"\(name)\"; build the search space from the target's variables()")
        }
        guard v.count == count else {
            throw KaizenError.shapeMismatch(op: "retrofit", detail: "variable \"\(name)\" has \(v.count) values, expected \(count)")
        }
        return v
    }

    /// A private copy of a tensor's values.
    static func snapshot(_ t: Tensor) -> [Float] { t.contiguousValues().scalars }

    /// Writes `values` into the storage of a contiguous parameter or buffer tensor.
    static func write(_ values: [Float], into t: Tensor) {
        let p = t.basePointer
        values.withUnsafeBufferPointer { v in if let b = v.baseAddress { p.update(from: b, count: min(v.count, t.count)) } }
    }

    /// The modules named in `names` (all of type `M` when `names` is nil), with their names.
    static func modules<M>(_ model: any Module, names: [String]?, as: M.Type, what: String) throws -> [(String, M)] {
        let all = model.namedModules().compactMap { n, m in (m as? M).map { (n, $0) } }
        guard let names else {
            guard !all.isEmpty else { throw KaizenError.invalidArgument(name: "model", detail: "has no \(what) layer") }
            return all
        }
        return try names.map { n in
            guard let m = all.first(where: { $0.0 == n }) else {
                throw KaizenError.invalidArgument(name: "layers", detail: "no \(what) named \"\(n)\"; available: \(all.map(\.0).prefix(20).joined(separator: ", "))")
            }
            return m
        }
    }
}
