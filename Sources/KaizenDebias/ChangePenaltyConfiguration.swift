/// Hyper-parameters of change-penalised tuning (Penzel, Stein & Denzler, VISAPP 2024). The paper's
/// values are not known (spec/debias.md §1 [U]); the defaults are picked from the spec's grid
/// (λ ∈ {1e-4 … 1}, SGD lr {1e-4, 1e-3} momentum 0.9 or Adam lr 1e-4, ε ∈ {0, 5, 10, 25}, cap 500).
public struct ChangePenaltyConfiguration: Sendable, Equatable, Codable {
    /// λ1, weight of the ℓ1 norm Σ|θ′| of the change (grid value 1e-3).
    public var l1Strength: Float = 1e-3
    /// λ2, weight of the squared ℓ2 norm Σθ′² of the change (0: pure ℓ1; both > 0: elastic net).
    public var l2Strength: Float = 0
    /// Optimiser of θ′ (grid: Adam, lr 1e-4).
    public var optimizer: TuningOptimizer = .adam(learningRate: 1e-4)
    /// Step cap, ε and batch size (500, 10, 128).
    public var schedule = TuningSchedule()
    /// Dotted names of the parameters that get a change; nil means every parameter. Unknown names throw.
    public var parameterNames: [String]? = nil

    public init(l1Strength: Float = 1e-3, l2Strength: Float = 0, optimizer: TuningOptimizer = .adam(learningRate: 1e-4),
                schedule: TuningSchedule = TuningSchedule(), parameterNames: [String]? = nil) {
        self.l1Strength = l1Strength
        self.l2Strength = l2Strength
        self.optimizer = optimizer
        self.schedule = schedule
        self.parameterNames = parameterNames
    }

    func validate() throws {
        for (name, v) in [("l1Strength", l1Strength), ("l2Strength", l2Strength)] where !(v.isFinite && v >= 0) {
            throw KaizenError.invalidArgument(name: name, detail: "must be finite and >= 0, got \(v)")
        }
        try schedule.validate()
    }
}
