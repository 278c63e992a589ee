import Foundation
import Testing
@testable import KaizenEvolve

/// Prints the speed and reference figures; enabled with KAIZEN_EVOLVE_BENCH=1 (use `swift test -c release`).
@Test(.enabled(if: ProcessInfo.processInfo.environment["KAIZEN_EVOLVE_BENCH"] == "1"))
func evolveBenchmarks() async throws {
    print("(1+1)-ES d=100 ask+tell: \(try EvolveBenchmarks.onePlusOneOverhead()) us wall, \(try EvolveBenchmarks.onePlusOneOverheadCPU()) us CPU")
    let cpu = try EvolveBenchmarks.cmaGenerationCPU()
    print("CMA-ES d=100 CPU time: \(cpu.perGeneration) ms per generation, \(cpu.eigen) ms per eigendecomposition")
    let cma = try EvolveBenchmarks.cmaGeneration()
    print("CMA-ES d=100: \(cma.perGeneration) ms per generation (lambda asks+tells+update, amortised eigen; \(cma.eigenCount) eigendecompositions in 200 generations), warm eigen refresh (lower bound) \(cma.eigen) ms")
    let w1 = try await EvolveBenchmarks.parallelWall(workers: 1), w2 = try await EvolveBenchmarks.parallelWall(workers: 2)
    print("CPU-bound objective, 40 evaluations: 1 worker \(w1) s, 2 workers \(w2) s, ratio \(w2 / w1)")
    for (k, v) in try await EvolveBenchmarks.referenceFigures().sorted(by: { $0.key < $1.key }) { print("\(k): \(v)") }
}

/// LAPACK vs Jacobi for the CMA-ES eigen refresh; enabled with KAIZEN_EVOLVE_BENCH=1.
@Test(.enabled(if: ProcessInfo.processInfo.environment["KAIZEN_EVOLVE_BENCH"] == "1"))
func evolveEigenSolvers() throws {
    let e = try EvolveBenchmarks.eigenSolvers()
    print("eigendecomposition d=100: LAPACK dsyevd \(e.lapack) ms, Jacobi cold \(e.jacobiCold) ms, Jacobi warm (incl. congruence) \(e.jacobiWarm) ms")
}
