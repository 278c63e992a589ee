import Foundation
import Testing
import KaizenTensor

/// Prints elementwise/reduction throughput when KAIZEN_OP_BENCH is set (run in release:
/// `KAIZEN_OP_BENCH=1 swift test -c release --filter OpBenchmarkRunner`). Skipped otherwise.
@Suite struct OpBenchmarkRunner {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["KAIZEN_OP_BENCH"] != nil))
    func printRates() {
        for threads in [1, 2] {
            let rates = Parallel.$maxThreads.withValue(threads) { OpBenchmarks.elementwise(size: 1 << 20, repeats: 20) }
            for (name, rate) in rates.sorted(by: { $0.key < $1.key }) {
                let perElement = OpBenchmarks.flopsPerElement[name] ?? 1
                print(String(format: "BENCH {\"op\": \"%@\", \"threads\": %d, \"gflops\": %.2f, \"gelements\": %.3f}",
                             name, threads, rate, rate / perElement))
            }
        }
    }
}
