/// Hyper-parameters of plain fine-tuning, the first baseline of Penzel et al. (VISAPP 2024): θ is
/// updated directly with cross-entropy on the tuning set. Run it with the t* + ε stop (the paper
/// bolts its rule onto the baselines) or without (`schedule.earlyStopDelay = nil`).
public struct FineTuningConfiguration: Sendable, Equatable, Codable {
    /// Optimiser of θ (same default as change penalisation: Adam, lr 1e-4).
    public var optimizer: TuningOptimizer = .adam(learningRate: 1e-4)
    /// Step cap, ε and batch size (500, 10, 128).
    public var schedule = TuningSchedule()
    /// Dotted names of the parameters to train; nil means all. Unknown names throw.
    public var parameterNames: [String]? = nil

    public init(optimizer: TuningOptimizer = .adam(learningRate: 1e-4), schedule: TuningSchedule = TuningSchedule(),
                parameterNames: [String]? = nil) {
        self.optimizer = optimizer
        self.schedule = schedule
        self.parameterNames = parameterNames
    }
}

/// A quadratic pull towards anchor values: λ Σ Ω_i (θ_i − θ*_i)², per parameter (MAS, EWC, L2-SP).
public struct QuadraticAnchor: Sendable {
    /// λ.
    public var strength: Float
    /// (name, Ω) per anchored parameter; Ω has the parameter's shape.
    public var importances: [(name: String, value: Tensor)]

    public init(strength: Float, importances: [(name: String, value: Tensor)]) {
        self.strength = strength
        self.importances = importances
    }
}

/// Fine-tuning of a model's own parameters, optionally with a `QuadraticAnchor` penalty (MAS). BatchNorm
/// runs in eval mode (frozen statistics), as in change-penalised tuning, so the two are comparable.
/// The tuner takes over `model`: it freezes the parameters it does not train and updates the others in place.
public final class FineTuner<M: Layer> {
    public let model: M
    /// Names of the trained parameters.
    public let trainedNames: [String]
    let trained: [Parameter]
    let optimizer: any Optimizer
    let schedule: TuningSchedule
    /// Per anchored parameter: the parameter, θ* (snapshot at start) and λΩ.
    let anchors: [(parameter: Parameter, anchor: Tensor, weight: Tensor)]
    let methodName: String

    public init(model: M, configuration: FineTuningConfiguration = FineTuningConfiguration(), anchor: QuadraticAnchor? = nil) throws {
        try configuration.schedule.validate()
        let all = model.namedParameters()
        let names = configuration.parameterNames ?? all.map(\.0)
        let resolved = try ChangeMath.resolve(names.map { n in (n, all.first { $0.0 == n }?.1.shape ?? []) }, in: model)
        model.eval()
        let chosen = Set(names)
        for (name, p) in all { p.isFrozen = !chosen.contains(name) }
        self.model = model
        trainedNames = names
        trained = resolved
        optimizer = try configuration.optimizer.make(parameters: resolved)
        schedule = configuration.schedule
        if let anchor {
            guard anchor.strength.isFinite, anchor.strength >= 0 else {
                throw KaizenError.invalidArgument(name: "strength", detail: "the anchor's λ must be finite and >= 0, got \(anchor.strength)")
            }
            let params = try ChangeMath.resolve(anchor.importances.map { ($0.name, $0.value.shape) }, in: model)
            anchors = zip(params, anchor.importances).map { p, e in
                (p, ChangeMath.copy(p.value), e.value.contiguousValues() * anchor.strength)
            }
            methodName = "mas"
        } else {
            anchors = []
            methodName = "fine-tuning"
        }
    }

    /// λ Σ Ω (θ − θ*)².
    public var penalty: Double {
        anchors.reduce(0.0) { total, a in
            let pw = a.parameter.value.basePointer, pa = a.anchor.basePointer, pl = a.weight.basePointer
            var s = 0.0
            for i in 0..<a.parameter.count { let d = Double(pw[i] - pa[i]); s += Double(pl[i]) * d * d }
            return total + s
        }
    }

    /// Runs the tuning loop and returns its record (the model holds the tuned θ).
    public func tune(images: Tensor, labels: [Int]) throws -> DebiasRunRecord {
        let loop = try TuningLoop(schedule: schedule, images: images, labels: labels, classCount: nil)
        return try loop.run(method: methodName, logits: { x, _ in try model(x) }, penalty: { penalty }, update: { _ in try applyUpdate() })
    }

    /// One update on a batch (CE + penalty, backward, optimiser step). Returns the objective.
    @discardableResult
    public func step(images: Tensor, labels: [Int]) throws -> Double {
        model.zeroGrad()
        let loss = try Loss.crossEntropy(try model(images), targets: labels)
        let value = Double(try loss.item()) + penalty
        try loss.backward()
        try applyUpdate()
        return value
    }

    /// Adds the anchor gradient 2λΩ(θ − θ*), steps the optimiser and clears the gradients.
    func applyUpdate() throws {
        for a in anchors {
            let n = a.parameter.count
            let g = Tensor(uninitializedShape: a.parameter.shape)
            let pg = g.basePointer, pw = a.parameter.value.basePointer, pa = a.anchor.basePointer, pl = a.weight.basePointer
            if let old = a.parameter.grad?.contiguousValues() { pg.update(from: old.basePointer, count: n) } else { pg.update(repeating: 0, count: n) }
            for i in 0..<n { pg[i] += 2 * pl[i] * (pw[i] - pa[i]) }
            a.parameter.grad = g
        }
        try optimizer.step()
        for p in trained { p.zeroGrad() }
    }
}
