import Dispatch

/// Keeps every thread of the budget busy for a moment before a benchmark starts its clock. A fresh
/// process ran its first ~50 ms of 2-thread work at 1-thread speed on the 2-vCPU test VM (the
/// worker starts next to the caller until the kernel moves it), so whichever case a run measured
/// first came out up to twice as slow as the same case measured later (BENCHMARKS.md).
public enum ThreadWarmUp {
    /// Spins `Parallel.maxThreads` threads in short parallel loops for `seconds`.
    public static func run(seconds: Double = 0.2) {
        let threads = Parallel.maxThreads
        guard threads > 1 else { return }
        let end = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        while DispatchTime.now().uptimeNanoseconds < end {
            Parallel.forRanges(threads, costPerItem: Parallel.minimumGrain) { range in
                var x: Float = Float(range.lowerBound)
                for i in 0..<200_000 { x = x * 0.999_999 + Float(i & 7) }
                if x == .infinity { print(x) }  // keeps the loop from being optimised away
            }
        }
    }
}
