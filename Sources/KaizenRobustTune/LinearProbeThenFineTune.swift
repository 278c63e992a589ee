import KaizenTensor
import KaizenNN

/// LP-FT ("Fine-Tuning can Distort Pretrained Features and Underperform Out-of-Distribution", Kumar,
/// Raghunathan, Jones, Ma, Liang, ICLR 2022): first train only the new head on frozen features
/// (linear probing), then fine-tune everything starting from that head.
///
/// This is the plan only; the shared trainer runs the loops. Typical use: `apply(.linearProbe, to:)`,
/// train for `probeEpochs` with an optimiser over `model.trainableParameters()`, then
/// `apply(.fineTune, to:)` and build a fresh optimiser (unfreezing recreates the parameters' autograd
/// leaves, and the phases usually use different learning rates).
public struct LinearProbeThenFineTune: Sendable, Equatable {
    /// The two phases.
    public enum Phase: String, Sendable, Equatable {
        /// Only the head is trainable.
        case linearProbe
        /// Every parameter is trainable.
        case fineTune
    }

    /// Dotted names of the head parameters (e.g. `["_fc.weight", "_fc.bias"]`).
    public var headNames: Set<String>
    /// Epochs of linear probing before fine-tuning starts.
    public var probeEpochs: Int
    /// Epochs of full fine-tuning.
    public var fineTuneEpochs: Int

    public init(headNames: Set<String>, probeEpochs: Int, fineTuneEpochs: Int) throws {
        guard !headNames.isEmpty else {
            throw KaizenError.invalidArgument(name: "headNames", detail: "LP-FT: name at least one head parameter")
        }
        guard probeEpochs >= 0, fineTuneEpochs >= 0 else {
            throw KaizenError.invalidArgument(name: "probeEpochs/fineTuneEpochs", detail: "LP-FT: epochs must be >= 0, got \(probeEpochs) and \(fineTuneEpochs)")
        }
        self.headNames = headNames
        self.probeEpochs = probeEpochs
        self.fineTuneEpochs = fineTuneEpochs
    }

    /// Total epochs of both phases.
    public var totalEpochs: Int { probeEpochs + fineTuneEpochs }

    /// The phase of a 0-based epoch.
    public func phase(atEpoch epoch: Int) -> Phase { epoch < probeEpochs ? .linearProbe : .fineTune }

    /// The names trainable in `phase`, in the order of `allNames`.
    public func trainableNames(in phase: Phase, allNames: [String]) -> [String] {
        switch phase {
        case .linearProbe: return allNames.filter { headNames.contains($0) }
        case .fineTune: return allNames
        }
    }

    /// Freezes or unfreezes the model's parameters for `phase`. Throws (changing nothing) when a head
    /// name is not a parameter of the model.
    public func apply(_ phase: Phase, to model: any Module) throws {
        let named = model.namedParameters()
        _ = try ParameterNames.resolve(headNames, in: named, method: "LP-FT")
        let trainable = Set(trainableNames(in: phase, allNames: named.map(\.0)))
        for (name, p) in named { p.isFrozen = !trainable.contains(name) }
    }
}
