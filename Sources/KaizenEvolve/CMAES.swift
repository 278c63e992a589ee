import Foundation

/// CMA-ES with Hansen's standard equations (see `CMAParameters`): weighted recombination of the
/// best mu of lambda samples, cumulative step-size adaptation, rank-one and rank-mu covariance
/// updates. Full covariance for d <= 100, its eigenbasis refreshed lazily (every
/// 0.5 lambda / (c1 + cmu) / d evaluations, Hansen's `purecma`) by LAPACK's dsyevd; diagonal
/// covariance (sep-CMA) above. Initial mean: the space's initial point; initial sigma 1 in
/// standardised space.
///
/// Asks sample from the current distribution; when lambda tells of samples drawn from it have
/// arrived the distribution is updated. Tells of samples from an older distribution (possible with
/// several workers) only count for the best-so-far.
public struct CMAES: GradientFreeOptimizer {
    /// One evaluated sample, `y = (z - mean) / sigma` at the time it was drawn.
    struct Told: Codable, Sendable { var loss: Double; var y: [Double] }

    public let encoding: Encoding
    public let parameters: CMAParameters
    public private(set) var mean: [Double]
    public private(set) var sigma: Double = 1
    public private(set) var evaluations = 0
    public private(set) var generation = 0
    public private(set) var eigenDecompositions = 0
    /// Full: d x d row-major covariance; diagonal: its d diagonal entries.
    public private(set) var covariance: [Double]
    /// Full: orthonormal eigenbasis (columns), row-major; diagonal: unused.
    private var basis: [Double]
    /// Square roots of the eigenvalues (full) or of the diagonal (diagonal).
    private var scales: [Double]
    private var pSigma: [Double]
    private var pC: [Double]
    private var asks = 0
    private var evaluationsAtEigen = 0
    private var pending: [Int: [Double]] = [:]
    private var told: [Told] = []
    private var best = BestSoFar()
    private var rng: EvolveRandom

    /// `diagonal` defaults to d > 100; `lambda` to 4 + floor(3 ln d).
    public init(encoding: Encoding, seed: UInt64, lambda: Int? = nil, diagonal: Bool? = nil, sigma: Double = 1) throws {
        let d = encoding.dimension
        guard d > 0 else { throw KaizenError.invalidArgument(name: "space", detail: "CMA-ES needs at least one coordinate") }
        guard sigma > 0, sigma.isFinite else { throw KaizenError.invalidArgument(name: "sigma", detail: "must be positive, got \(sigma)") }
        let diagonal = diagonal ?? (d > 100)
        self.encoding = encoding
        self.parameters = CMAParameters(dimension: d, lambda: lambda, diagonal: diagonal)
        self.mean = encoding.initial
        self.sigma = sigma
        self.rng = EvolveRandom(seed: seed)
        pSigma = Array(repeating: 0, count: d)
        pC = pSigma
        scales = Array(repeating: 1, count: d)
        if diagonal {
            covariance = Array(repeating: 1, count: d)
            basis = []
        } else {
            covariance = Self.identity(d)
            basis = covariance
        }
    }

    private static func identity(_ d: Int) -> [Double] {
        var m = [Double](repeating: 0, count: d * d)
        for i in 0..<d { m[i * d + i] = 1 }
        return m
    }

    public var bestLoss: Double { best.loss }
    public func recommend() -> Candidate? { best.candidate }
    /// The population size.
    public var lambda: Int { parameters.lambda }

    public mutating func ask() throws -> Candidate {
        let d = parameters.dimension
        var noise = [Double](repeating: 0, count: d)
        for i in 0..<d { noise[i] = scales[i] * rng.nextNormal() }
        var y: [Double]
        if parameters.diagonal {
            y = noise
        } else {
            // y = B (D n): rows of the row-major basis dotted with D n.
            var out = [Double](repeating: 0, count: d)
            basis.withUnsafeBufferPointer { b in
                noise.withUnsafeBufferPointer { n in
                    for i in 0..<d {
                        var s = 0.0
                        for j in 0..<d { s += b[i * d + j] * n[j] }
                        out[i] = s
                    }
                }
            }
            y = out
        }
        var z = mean
        let step = sigma
        for i in 0..<d { z[i] += step * y[i] }
        let c = Candidate(id: asks, z: z)
        pending[asks] = y
        asks += 1
        return c
    }

    public mutating func tell(_ candidate: Candidate, loss: Double) throws {
        try checkDimension(candidate, parameters.dimension, "CMAES")
        let loss = loss.sanitisedLoss
        evaluations += 1
        best.record(candidate, loss: loss)
        guard let y = pending.removeValue(forKey: candidate.id) else { return }
        told.append(Told(loss: loss, y: y))
        if told.count >= parameters.lambda { try update() }
    }

    /// One generation: Hansen's tutorial, equations (39)-(47) with c_m = 1.
    private mutating func update() throws {
        let p = parameters, d = p.dimension
        // Stable sort: ties keep the order of arrival, which is deterministic with one worker.
        let ranked = told.enumerated().sorted { ($0.element.loss, $0.offset) < ($1.element.loss, $1.offset) }.map(\.element)
        told.removeAll(keepingCapacity: true)
        pending.removeAll()
        var yw = [Double](repeating: 0, count: d)
        for i in 0..<p.mu {
            let w = p.weights[i], y = ranked[i].y
            for j in 0..<d { yw[j] += w * y[j] }
        }
        for j in 0..<d { mean[j] += sigma * yw[j] }

        // C^(-1/2) yw = B D^-1 B^T yw.
        var whitened = [Double](repeating: 0, count: d)
        if p.diagonal {
            for j in 0..<d { whitened[j] = yw[j] / scales[j] }
        } else {
            var t = [Double](repeating: 0, count: d)
            basis.withUnsafeBufferPointer { b in
                for k in 0..<d {
                    let ywk = yw[k]
                    for j in 0..<d { t[j] += b[k * d + j] * ywk }
                }
                for j in 0..<d { t[j] /= scales[j] }
                for i in 0..<d {
                    var s = 0.0
                    for j in 0..<d { s += b[i * d + j] * t[j] }
                    whitened[i] = s
                }
            }
        }
        let cs = p.cSigma, sigmaGain = (cs * (2 - cs) * p.muEff).squareRoot()
        var normPS = 0.0
        for j in 0..<d {
            pSigma[j] = (1 - cs) * pSigma[j] + sigmaGain * whitened[j]
            normPS += pSigma[j] * pSigma[j]
        }
        normPS = normPS.squareRoot()
        generation += 1
        let hSigma = normPS / (1 - Foundation.pow(1 - cs, 2 * Double(generation))).squareRoot() / p.chiN < 1.4 + 2 / (Double(d) + 1)
        let cc = p.cC, cGain = (cc * (2 - cc) * p.muEff).squareRoot()
        for j in 0..<d { pC[j] = (1 - cc) * pC[j] + (hSigma ? cGain * yw[j] : 0) }

        let decay = 1 - p.c1 - p.cMu + (hSigma ? 0 : p.c1 * cc * (2 - cc))
        if p.diagonal {
            for j in 0..<d {
                var rankMu = 0.0
                for i in 0..<p.mu { rankMu += p.weights[i] * ranked[i].y[j] * ranked[i].y[j] }
                covariance[j] = decay * covariance[j] + p.c1 * pC[j] * pC[j] + p.cMu * rankMu
                scales[j] = max(covariance[j], 1e-300).squareRoot()
            }
        } else {
            let mu = p.mu, pc = pC
            // Locals only inside the closure: touching `self` there while `covariance` is borrowed costs exclusivity checks.
            covariance.withUnsafeMutableBufferPointer { c in
                for i in 0..<d {
                    let row = c.address + i * d
                    let r1 = p.c1 * pc[i]
                    for j in 0..<d { row[j] = decay * row[j] + r1 * pc[j] }
                }
                for k in 0..<mu {
                    let y = ranked[k].y, wk = p.cMu * p.weights[k]
                    y.withUnsafeBufferPointer { yp in
                        for i in 0..<d {
                            let row = c.address + i * d, a = wk * yp[i]
                            for j in 0..<d { row[j] += a * yp[j] }
                        }
                    }
                }
            }
        }
        sigma *= Foundation.exp(min(1, cs / p.dSigma * (normPS / p.chiN - 1)))
        guard sigma.isFinite, sigma > 0, mean.allSatisfy(\.isFinite) else {
            throw KaizenError.numerical(detail: "CMA-ES diverged at generation \(generation) (sigma \(sigma)); check the objective for non-finite or extreme losses")
        }
        if !p.diagonal, Double(evaluations - evaluationsAtEigen) > p.evaluationsBetweenEigen { refreshEigenbasis() }
    }

    /// Eigendecomposition of C by LAPACK's dsyevd (divide and conquer, through `SymmetricEigen`),
    /// which at d = 100 is several times faster than warm-started Jacobi rotations; Jacobi (warm
    /// started from the previous basis) remains the fallback if LAPACK reports a failure.
    public mutating func refreshEigenbasis() {
        let d = parameters.dimension
        guard !parameters.diagonal else { return }
        // Enforce exact symmetry (LAPACK reads one triangle; Jacobi assumes symmetry).
        for i in 0..<d { for j in (i + 1)..<d { let s = (covariance[i * d + j] + covariance[j * d + i]) / 2; covariance[i * d + j] = s; covariance[j * d + i] = s } }
        if let (values, rows) = try? SymmetricEigen.decompose(covariance, n: d), values.allSatisfy(\.isFinite) {
            // `rows` holds one eigenvector per row; the basis keeps them as columns.
            basis.withUnsafeMutableBufferPointer { b in
                rows.withUnsafeBufferPointer { r in
                    for i in 0..<d { for j in 0..<d { b[i * d + j] = r[j * d + i] } }
                }
            }
            for i in 0..<d { scales[i] = max(values[i], 1e-300).squareRoot() }
        } else {
            var a = JacobiEigen.congruence(covariance, basis: basis, n: d)
            JacobiEigen.solve(&a, n: d, vectors: &basis)
            for i in 0..<d { scales[i] = max(a[i * d + i], 1e-300).squareRoot() }
        }
        evaluationsAtEigen = evaluations
        eigenDecompositions += 1
    }

    /// The covariance's eigenvalues as currently known (squares of the sampling scales).
    public var eigenvalues: [Double] { scales.map { $0 * $0 } }
}
