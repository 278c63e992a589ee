/// What an AfterLearnER retrofit run reports (Videau et al., "Evolutionary Retrofitting"): the metric
/// on the validation set the search saw and on held-out data it did not, before and after, the
/// overfitting bound of the run, the recommendation and the convergence of the search. The held-out
/// gain is the result; the validation gain is only what the optimiser was told.
public struct RetrofitReport: Sendable, Codable {
    /// Which parameters were searched (`logit-offsets`, `batchnorm-mix`).
    public var target: String
    public var metric: MetricName
    /// The optimiser that ran (after the automatic choice).
    public var optimizer: String
    public var validationBefore: Double, validationAfter: Double
    public var testBefore: Double, testAfter: Double
    /// sqrt((ln b + ln(1/delta)) / 2n) with delta = 0.05: how much of the validation gain may be luck.
    public var overfittingBound: Double
    public var evaluations: Int
    public var validationSize: Int, testSize: Int
    /// The best candidate, by variable name.
    public var recommendation: [String: [Double]]
    /// Best validation score after each evaluation.
    public var bestSoFar: [Double]
    /// Alternatives that need no search, by name: [validation, test] scores of the same metric
    /// (e.g. gradient-fitted calibration, full re-estimation of BatchNorm statistics).
    public var baselines: [String: [Double]]

    /// The per-class logit offsets of a `logit-offsets` run (empty otherwise).
    public var offsets: [Double] { recommendation["offsets"] ?? [] }
}
