import Foundation

/// Timing and quality measurements of the optimisers (run in a release build; see the report).
public enum EvolveBenchmarks {
    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// CPU seconds used by this process (all threads): on a machine shared with other jobs this is a
    /// steadier measure of a single-threaded loop than the wall clock.
    static func cpuNow() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// CPU microseconds per ask + tell of the (1+1)-ES (see `onePlusOneOverhead`).
    public static func onePlusOneOverheadCPU(dimension d: Int = 100, iterations: Int = 200_000) throws -> Double {
        let start = cpuNow()
        _ = try onePlusOneOverhead(dimension: d, iterations: iterations)
        return (cpuNow() - start) / Double(iterations) * 1e6
    }

    /// CMA-ES at dimension `d` on a sphere: CPU milliseconds per generation (lambda asks + tells and
    /// the update, eigendecompositions amortised), and per eigendecomposition.
    public static func cmaGenerationCPU(dimension d: Int = 100, generations: Int = 300) throws -> (perGeneration: Double, eigen: Double) {
        var cma = try CMAES(encoding: .unbounded(d), seed: 0)
        let lambda = cma.lambda
        let start = cpuNow()
        for _ in 0..<generations {
            for _ in 0..<lambda {
                let c = try cma.ask()
                try cma.tell(c, loss: c.z.reduce(0) { $0 + $1 * $1 })
            }
        }
        let total = (cpuNow() - start) / Double(generations) * 1e3
        var probe = cma
        let eigenStart = cpuNow()
        for _ in 0..<20 { probe.refreshEigenbasis() }
        return (total, (cpuNow() - eigenStart) / 20 * 1e3)
    }

    /// Microseconds per ask + tell of the (1+1)-ES in dimension `d` (objective excluded: a constant loss
    /// sequence alternating improvements and failures).
    public static func onePlusOneOverhead(dimension d: Int = 100, iterations: Int = 200_000) throws -> Double {
        var es = OnePlusOneES(encoding: .unbounded(d), seed: 0)
        var loss = 1e9
        let start = now()
        for i in 0..<iterations {
            let c = try es.ask()
            loss *= i % 5 == 0 ? 0.99 : 1
            try es.tell(c, loss: i % 5 == 0 ? loss : loss + 1)
        }
        return (now() - start) / Double(iterations) * 1e6
    }

    /// CMA-ES at dimension `d` on a sphere: milliseconds per generation (lambda asks + tells, with the
    /// update, eigendecompositions amortised) and the time of one eigen refresh from an already
    /// diagonal warm start (congruence B^T C B and the convergence check only: a lower bound).
    public static func cmaGeneration(dimension d: Int = 100, generations: Int = 200) throws -> (perGeneration: Double, eigen: Double, eigenCount: Int) {
        var cma = try CMAES(encoding: .unbounded(d), seed: 0)
        let lambda = cma.lambda
        let start = now()
        for _ in 0..<generations {
            for _ in 0..<lambda {
                let c = try cma.ask()
                try cma.tell(c, loss: c.z.reduce(0) { $0 + $1 * $1 })
            }
        }
        let total = (now() - start) / Double(generations) * 1e3
        var probe = cma
        let eigenStart = now()
        for _ in 0..<10 { probe.refreshEigenbasis() }
        let eigen = (now() - eigenStart) / 10 * 1e3
        return (total, eigen, cma.eigenDecompositions)
    }

    /// Milliseconds of one d x d eigendecomposition of a CMA-ES covariance (after 100 generations on
    /// the rotated ellipsoid): LAPACK dsyevd, cyclic Jacobi from the identity, and Jacobi warm-started
    /// from the eigenbasis of the covariance two generations earlier (what a lazy refresh sees).
    public static func eigenSolvers(dimension d: Int = 100, repeats: Int = 5) throws -> (lapack: Double, jacobiCold: Double, jacobiWarm: Double) {
        let p = try BenchmarkProblem(.ellipsoid, dimension: d, seed: 0)
        var cma = try CMAES(encoding: .unbounded(d), seed: 0)
        var previous: [Double] = []
        for g in 0..<100 {
            if g == 98 { previous = cma.covariance }
            for _ in 0..<cma.lambda {
                let c = try cma.ask()
                try cma.tell(c, loss: p.value(c.z))
            }
        }
        var c = cma.covariance
        for i in 0..<d { for j in (i + 1)..<d { let s = (c[i * d + j] + c[j * d + i]) / 2; c[i * d + j] = s; c[j * d + i] = s } }
        var start = now()
        for _ in 0..<repeats { _ = try SymmetricEigen.decompose(c, n: d) }
        let lapack = (now() - start) / Double(repeats) * 1e3
        var identity = [Double](repeating: 0, count: d * d)
        for i in 0..<d { identity[i * d + i] = 1 }
        start = now()
        for _ in 0..<repeats { var a = c, v = identity; JacobiEigen.solve(&a, n: d, vectors: &v) }
        let cold = (now() - start) / Double(repeats) * 1e3
        var a0 = previous, warmBasis = identity
        JacobiEigen.solve(&a0, n: d, vectors: &warmBasis)
        start = now()
        for _ in 0..<repeats {
            var a = JacobiEigen.congruence(c, basis: warmBasis, n: d), v = warmBasis
            JacobiEigen.solve(&a, n: d, vectors: &v)
        }
        let warm = (now() - start) / Double(repeats) * 1e3
        return (lapack, cold, warm)
    }

    /// Wall seconds of a run of `evaluations` CPU-bound evaluations (each ~`work` flops) with `workers`.
    public static func parallelWall(workers: Int, evaluations: Int = 40, work: Int = 4_000_000) async throws -> Double {
        let space = try SearchSpace([try Variable.continuous("x", shape: [4])])
        let objective: Evolve.Objective = { a in
            var s = 0.0, x = a.flatNumeric[0]
            for i in 0..<work { x = x * 0.999_999 + 1e-9 * Double(i & 7); s += x }
            return s.isFinite ? abs(s) * 1e-12 + a.flatNumeric.reduce(0) { $0 + $1 * $1 } : 0
        }
        let start = now()
        _ = try await Evolve.minimize(objective, space: space, optimizer: OnePlusOneES(encoding: space.encoding(discrete: false), seed: 0),
                                      budget: evaluations, workers: workers)
        return now() - start
    }

    /// Median best losses over 3 seeds in the spec's reference settings (section 4).
    public static func referenceFigures() async throws -> [String: Double] {
        var out: [String: Double] = [:]
        for (name, budget) in [(BenchmarkProblem.Name.sphere, 300), (.ellipsoid, 600)] {
            for kind in [OptimizerKind.onePlusOne, .cma] {
                var losses: [Double] = []
                for seed: UInt64 in 0..<3 {
                    let p = try BenchmarkProblem(name, dimension: 10, seed: seed)
                    let o = try AnyOptimizer.make(kind, space: try p.space, budget: budget, seed: seed)
                    losses.append(try await Evolve.minimize(p.objective, space: try p.space, optimizer: o, budget: budget).bestLoss)
                }
                out["\(name.rawValue) d=10 b=\(budget) \(kind.rawValue)"] = losses.sorted()[1]
            }
        }
        return out
    }
}
