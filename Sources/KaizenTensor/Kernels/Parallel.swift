import Dispatch
import Foundation

/// Data-parallel loops for the engine's kernels and its BLAS products (`BLAS` cuts those itself).
/// The thread budget is task-local so that `--threads` applies without global state.
public enum Parallel {
    @TaskLocal public static var maxThreads: Int = ProcessInfo.processInfo.activeProcessorCount

    /// Below this many elements of work a kernel runs on one thread (dispatch costs ~0.2 us).
    public static let minimumGrain = 32_768

    /// Runs `body(range)` over `0..<count` in at most `maxThreads` contiguous chunks.
    /// `cost` is the work per item, so that small jobs stay on the calling thread.
    @inlinable
    public static func forRanges(_ count: Int, costPerItem cost: Int = 1,
                                 _ body: (Range<Int>) -> Void) {
        let threads = maxThreads
        if count == 0 { return }
        if threads <= 1 || count * max(cost, 1) < minimumGrain || count < 2 {
            body(0..<count)
            return
        }
        let chunks = min(threads, count)
        let ranAsPool = WorkerPool.shared.run(chunks: chunks) { c in
            let lo = count * c / chunks, hi = count * (c + 1) / chunks
            if lo < hi { body(lo..<hi) }
        }
        if ranAsPool { return }
        withoutActuallyEscaping(body) { body in
            // The loop is synchronous and the caller keeps its buffers alive until it returns.
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lo = count * c / chunks, hi = count * (c + 1) / chunks
                if lo < hi { box.value(lo..<hi) }
            }
        }
    }
}

/// Carries a value into a concurrent loop whose lifetime the caller controls.
public struct UncheckedSendable<T>: @unchecked Sendable {
    public let value: T
    @inlinable public init(_ value: T) { self.value = value }
}
