/// Tuning while penalising change (Penzel, Stein & Denzler, "Reducing Bias in Pre-trained Models by
/// Tuning while Penalizing Change", VISAPP 2024). The base parameters θ are frozen; every chosen
/// parameter gets a zero-initialised change θ′ and the model runs on θ + θ′ (a change in weight
/// space, not a side network on the outputs). The objective is
/// CE(f_{θ+θ′}(x), y) + λ1 Σ|θ′| + λ2 Σθ′².
///
/// Implementation: the model's own parameter storage holds W = θ + θ′, so the forward pass costs
/// nothing extra. After `backward`, ∂L/∂θ′ = ∂CE/∂W + λ1·sign(θ′) + 2λ2·θ′ is handed to the optimiser,
/// which updates θ′ (so Adam's moments live on θ′), then W is rewritten as θ + θ′. BatchNorm runs in
/// eval mode (frozen running statistics), so θ′ = 0 gives exactly the base model.
///
/// The tuner takes over `model`: it freezes the parameters without a change and writes W in place.
/// `change` exports θ′; the model itself is the merged result; `restoreBase()` undoes the tuning.
public final class ChangePenaltyTuner<M: Layer> {
    /// The model being tuned; its parameters hold θ + θ′.
    public let model: M
    public let configuration: ChangePenaltyConfiguration
    /// Names of the parameters with a change, in the model's order.
    public let changedNames: [String]
    /// θ, a private snapshot of each changed parameter at the start (never written).
    public let base: [Tensor]
    /// θ′, one trainable zero-initialised parameter per changed parameter.
    public let changes: [Parameter]
    let weights: [Parameter]
    let optimizer: any Optimizer

    /// Snapshots θ and creates θ′ = 0. Throws on unknown `parameterNames` or invalid settings.
    public init(model: M, configuration: ChangePenaltyConfiguration = ChangePenaltyConfiguration()) throws {
        try configuration.validate()
        let all = model.namedParameters()
        let chosen: Set<String>
        if let names = configuration.parameterNames {
            let known = Set(all.map(\.0))
            let unknown = names.filter { !known.contains($0) }
            guard unknown.isEmpty else {
                throw KaizenError.invalidArgument(name: "parameterNames", detail: "unknown parameter(s) \(unknown.joined(separator: ", ")); the model has e.g. \(all.prefix(6).map(\.0).joined(separator: ", "))")
            }
            guard !names.isEmpty else { throw KaizenError.invalidArgument(name: "parameterNames", detail: "empty; give nil to change every parameter") }
            chosen = Set(names)
        } else {
            chosen = Set(all.map(\.0))
        }
        model.eval()
        var names: [String] = [], base: [Tensor] = [], changes: [Parameter] = [], weights: [Parameter] = []
        for (name, p) in all {
            p.isFrozen = !chosen.contains(name)
            guard chosen.contains(name) else { continue }
            names.append(name)
            base.append(ChangeMath.copy(p.value))
            changes.append(Parameter(.zeros(p.shape)))
            weights.append(p)
        }
        self.model = model
        self.configuration = configuration
        changedNames = names
        self.base = base
        self.changes = changes
        self.weights = weights
        optimizer = try configuration.optimizer.make(parameters: changes)
    }

    /// θ′ as a `ParameterChange` (copies).
    public var change: ParameterChange {
        ParameterChange(entries: zip(changedNames, changes).map { ($0, ChangeMath.copy($1.value)) })
    }

    /// λ1 Σ|θ′| + λ2 Σθ′².
    public var penalty: Double {
        let c = ParameterChange(entries: zip(changedNames, changes).map { ($0, $1.value) })
        return Double(configuration.l1Strength) * c.l1Norm + Double(configuration.l2Strength) * c.squaredL2Norm
    }

    /// Sets θ′ (entries by name; parameters not listed get θ′ = 0) and rewrites W = θ + θ′.
    public func setChange(_ newChange: ParameterChange) throws {
        let index = Dictionary(uniqueKeysWithValues: changedNames.enumerated().map { ($1, $0) })
        for e in newChange.entries {
            guard let i = index[e.name] else {
                throw KaizenError.invalidArgument(name: e.name, detail: "not a changed parameter of this tuner (changed: \(changedNames.prefix(6).joined(separator: ", ")))")
            }
            guard e.value.shape == changes[i].shape else {
                throw KaizenError.shapeMismatch(op: "ChangePenaltyTuner.setChange", detail: "\(e.name): \(Shape.describe(e.value.shape)) for \(Shape.describe(changes[i].shape))")
            }
        }
        for p in changes { p.withMutableValues { $0.update(repeating: 0) } }
        for e in newChange.entries { if let i = index[e.name] { try changes[i].copyValues(from: e.value, name: e.name) } }
        writeWeights()
    }

    /// Sets θ′ = 0 and restores the model to θ.
    public func restoreBase() throws { try setChange(ParameterChange(entries: [])) }

    /// Runs the tuning loop on the tuning set and returns its record (the model then holds θ + θ′).
    public func tune(images: Tensor, labels: [Int]) throws -> DebiasRunRecord {
        let loop = try TuningLoop(schedule: configuration.schedule, images: images, labels: labels, classCount: nil)
        return try loop.run(method: "change-penalty", logits: { x, _ in try model(x) }, penalty: { penalty }, update: { _ in try moveGradientsToChanges(); try applyUpdate() })
    }

    /// One update on a batch: CE + penalty, backward, optimiser step on θ′, W = θ + θ′. Returns the objective.
    @discardableResult
    public func step(images: Tensor, labels: [Int]) throws -> Double {
        let value = try objectiveAndGradients(images: images, labels: labels).objective
        try applyUpdate()
        return value
    }

    /// The objective CE + λ1 Σ|θ′| + λ2 Σθ′² at the current θ′ and its gradient with respect to each θ′
    /// (copies, in `changedNames` order). Leaves the gradients on θ′ for an optimiser step.
    public func objectiveAndGradients(images: Tensor, labels: [Int]) throws -> (objective: Double, gradients: [Tensor]) {
        model.zeroGrad()
        let loss = try Loss.crossEntropy(try model(images), targets: labels)
        let value = Double(try loss.item()) + penalty
        try loss.backward()
        try moveGradientsToChanges()
        return (value, changes.map { $0.grad.map(ChangeMath.copy) ?? .zeros($0.shape) })
    }

    /// θ′.grad = W.grad + λ1·sign(θ′) + 2λ2·θ′ (sign(0) = 0, the subgradient at zero); clears W.grad.
    func moveGradientsToChanges() throws {
        let l1 = configuration.l1Strength, l2x2 = 2 * configuration.l2Strength
        for (w, c) in zip(weights, changes) {
            let g = Tensor(uninitializedShape: c.shape)
            let pg = g.basePointer, pc = c.value.basePointer, n = c.count
            if let wg = w.grad?.contiguousValues() {
                pg.update(from: wg.basePointer, count: n)
            } else {
                pg.update(repeating: 0, count: n)
            }
            if l1 != 0 || l2x2 != 0 {
                for i in 0..<n {
                    let d = pc[i]
                    let sign: Float = d > 0 ? 1 : (d < 0 ? -1 : 0)
                    pg[i] += l1 * sign + l2x2 * d
                }
            }
            c.grad = g
            w.zeroGrad()
        }
    }

    /// Optimiser step on θ′ from the gradients already on θ′, then W = θ + θ′.
    func applyUpdate() throws {
        try optimizer.step()
        for c in changes { c.zeroGrad() }
        writeWeights()
    }

    /// W = θ + θ′ for every changed parameter.
    func writeWeights() {
        for ((w, b), c) in zip(zip(weights, base), changes) {
            let pb = b.basePointer, pc = c.value.basePointer
            w.withMutableValues { pw in for i in 0..<pw.count { pw[i] = pb[i] + pc[i] } }
        }
    }
}
