import Foundation
import Testing
import KaizenData

/// Prints timings of the image pipeline when KAIZEN_IMAGE_BENCH is set (run in release:
/// `KAIZEN_IMAGE_BENCH=1 swift test -c release --filter ImagePreparationBenchmarkRunner`).
@Suite struct ImagePreparationBenchmarkRunner {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["KAIZEN_IMAGE_BENCH"] != nil))
    func printTimings() throws {
        var rng = RandomGenerator(seed: 1)
        let grey = rng.uniform([256, 1, 28, 28])
        let big = rng.uniform([32, 3, 256, 256])
        func time(_ name: String, threads: Int, _ body: () throws -> Void) rethrows {
            try Parallel.$maxThreads.withValue(threads) {
                try body()
                var best = Double.infinity
                for _ in 0..<5 {
                    let start = DispatchTime.now().uptimeNanoseconds
                    try body()
                    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                }
                print(String(format: "BENCH {\"case\": \"%@\", \"threads\": %d, \"ms\": %.2f}", name, threads, best))
            }
        }
        for t in (ProcessInfo.processInfo.environment["KAIZEN_IMAGE_BENCH_THREADS"] ?? "1,2").split(separator: ",").compactMap({ Int($0) }) {
            try time("prepare grey 256x1x28x28 -> 3x224x224", threads: t) { _ = try ImagePreparation.prepare(grey: grey, size: 224) }
            try time("resize 32x3x256x256 -> 224 (shrink, antialias)", threads: t) { _ = try ImageResize.bilinear(big, size: 224) }
            try time("random resized crop 32x3x256x256 -> 224", threads: t) { _ = try RandomResizedCrop(height: 224, width: 224).apply(big, seed: 1) }
            for c in Corruption.allCases {
                try time("corruption \(c.rawValue) 256x1x28x28 s3", threads: t) { _ = try c.apply(grey, severity: 3, seed: 1) }
            }
        }
    }
}
