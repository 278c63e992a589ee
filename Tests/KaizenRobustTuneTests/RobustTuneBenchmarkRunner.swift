import Foundation
import Testing
import KaizenRobustTune

/// Prints per-step times of SGD, FTP-SGD and SGD+TPGM on EfficientNet-Lite0 when KAIZEN_ROBUST_BENCH
/// is set (release build: `KAIZEN_ASSETS=... KAIZEN_ROBUST_BENCH=1 swift test -c release --filter
/// RobustTuneBenchmarkRunner`). KAIZEN_ROBUST_BENCH_THREADS (default 2), _BATCH (32), _SIZE (64), _REPEATS (5).
@Suite(.serialized) struct RobustTuneBenchmarkRunner {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["KAIZEN_ROBUST_BENCH"] != nil))
    func printStepTimes() throws {
        let env = ProcessInfo.processInfo.environment
        func value(_ key: String, _ fallback: Int) -> Int { env["KAIZEN_ROBUST_BENCH_\(key)"].flatMap { Int($0) } ?? fallback }
        let times = try RobustTuneBenchmarks.efficientNetLite0StepOverhead(
            batch: value("BATCH", 32), size: value("SIZE", 64), repeats: value("REPEATS", 5), threads: value("THREADS", 2))
        print("BENCH efficientnet-lite0 step times: \(times)")
    }
}
