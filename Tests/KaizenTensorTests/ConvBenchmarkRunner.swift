import Foundation
import Testing
import KaizenTensor

/// Prints conv2d timings as JSON lines when KAIZEN_CONV_BENCH is set (run in release:
/// `KAIZEN_CONV_BENCH=1 swift test -c release --filter ConvBenchmarkRunner`). Skipped otherwise.
@Suite struct ConvBenchmarkRunner {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["KAIZEN_CONV_BENCH"] != nil))
    func printTimings() throws {
        let env = ProcessInfo.processInfo.environment
        let threads = (env["KAIZEN_CONV_BENCH_THREADS"] ?? "1,2").split(separator: ",").compactMap { Int($0) }
        let filter = env["KAIZEN_CONV_BENCH_FILTER"]
        let cases = ConvBenchmarks.efficientNetLite0Cases.filter { filter == nil || "\($0)".contains(filter!) }
        for t in threads {
            for r in try ConvBenchmarks.run(cases: cases, threads: t) {
                print(String(format: "BENCH {\"case\": \"%@\", \"direction\": \"%@\", \"threads\": %d, \"ms\": %.3f}",
                             "\(r.testCase)", r.direction, r.threads, r.milliseconds))
            }
        }
    }
}
