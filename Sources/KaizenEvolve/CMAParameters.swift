import Foundation

/// The strategy parameters of CMA-ES, from Hansen's tutorial ("The CMA Evolution Strategy: A
/// Tutorial", arXiv 1604.00772, table 1), positive recombination weights only. With `diagonal`
/// the learning rates c1 and cmu are multiplied by (d + 2) / 3 (sep-CMA, Ros & Hansen 2008).
public struct CMAParameters: Codable, Sendable, Equatable {
    public var dimension: Int
    public var lambda: Int
    public var mu: Int
    public var weights: [Double]
    public var muEff: Double
    public var cSigma: Double
    public var dSigma: Double
    public var cC: Double
    public var c1: Double
    public var cMu: Double
    /// E||N(0, I)||.
    public var chiN: Double
    public var diagonal: Bool

    /// lambda = 4 + floor(3 ln d).
    public static func defaultPopulation(dimension d: Int) -> Int { 4 + Int(3 * Foundation.log(Double(max(d, 1)))) }

    public init(dimension d: Int, lambda: Int? = nil, diagonal: Bool = false) {
        let n = Double(d)
        let lambda = max(lambda ?? Self.defaultPopulation(dimension: d), 2)
        let mu = lambda / 2
        var w = (1...mu).map { Foundation.log((Double(lambda) + 1) / 2) - Foundation.log(Double($0)) }
        let total = w.reduce(0, +)
        w = w.map { $0 / total }
        let muEff = 1 / w.reduce(0) { $0 + $1 * $1 }
        cSigma = (muEff + 2) / (n + muEff + 5)
        dSigma = 1 + 2 * max(0, ((muEff - 1) / (n + 1)).squareRoot() - 1) + cSigma
        cC = (4 + muEff / n) / (n + 4 + 2 * muEff / n)
        var c1 = 2 / ((n + 1.3) * (n + 1.3) + muEff)
        var cMu = min(1 - c1, 2 * (muEff - 2 + 1 / muEff) / ((n + 2) * (n + 2) + muEff))
        if diagonal {
            let boost = (n + 2) / 3
            c1 = min(1, c1 * boost)
            cMu = min(1 - c1, cMu * boost)
        }
        self.c1 = c1
        self.cMu = cMu
        chiN = n.squareRoot() * (1 - 1 / (4 * n) + 1 / (21 * n * n))
        self.dimension = d
        self.lambda = lambda
        self.mu = mu
        self.weights = w
        self.muEff = muEff
        self.diagonal = diagonal
    }

    /// Evaluations between two eigendecompositions: Hansen's lazy update as in his reference
    /// `purecma` (`lazy_gap_evals = 0.5 * lambda / (c1 + cmu) / d`; the tutorial's bound uses 0.1
    /// instead of 0.5). The covariance changes by O(c1 + cmu) per generation, so the basis lags by a
    /// few percent at most; at d = 100 this is one decomposition every ~6 generations.
    public var evaluationsBetweenEigen: Double { 0.5 * Double(lambda) / (c1 + cMu) / Double(dimension) }
}
