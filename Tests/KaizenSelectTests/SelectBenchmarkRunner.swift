import Foundation
import Testing
@testable import KaizenSelect

/// Prints selection timings when KAIZEN_SELECT_BENCH is set (run in release:
/// `KAIZEN_SELECT_BENCH=1 swift test -c release --filter SelectBenchmarkRunner`). Skipped otherwise.
/// KAIZEN_SELECT_BENCH_STEPS overrides ActiveFT's 300 steps.
@Suite struct SelectBenchmarkRunner {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["KAIZEN_SELECT_BENCH"] != nil))
    func printTimings() throws {
        let env = ProcessInfo.processInfo.environment
        let steps = Int(env["KAIZEN_SELECT_BENCH_STEPS"] ?? "") ?? 300
        let start = Date()
        let features = SelectBenchmarks.clusteredFeatures(n: 60_000, d: 1280, clusters: 300)
        print("BENCH data generation: \(Date().timeIntervalSince(start)) s")
        print("BENCH \(try SelectBenchmarks.stageTwo(features: features))")
        print("BENCH \(try SelectBenchmarks.activeFT(steps: steps, features: features))")
    }
}
