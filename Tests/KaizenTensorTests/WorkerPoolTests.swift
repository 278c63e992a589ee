import Foundation
import Synchronization
import Testing
@testable import KaizenTensor

/// The pool behind `Parallel.forRanges`: every chunk exactly once, chunk i always on the same thread,
/// and a busy pool declines instead of blocking (the caller then falls back to `concurrentPerform`).
@Suite struct WorkerPoolTests {
    /// A name for the current thread that two calls can compare.
    private static func threadID() -> UInt { UInt(bitPattern: Unmanaged.passUnretained(Thread.current).toOpaque()) }

    @Test func runsEveryChunkOnceWithTheCallerTakingChunkZero() {
        let pool = WorkerPool(workerCount: 3)
        for chunks in 1...4 {
            let counts = Mutex([Int](repeating: 0, count: chunks))
            let caller = Self.threadID()
            let chunkZeroThread = Mutex<UInt>(0)
            #expect(pool.run(chunks: chunks) { c in
                counts.withLock { $0[c] += 1 }
                if c == 0 { chunkZeroThread.withLock { $0 = Self.threadID() } }
            })
            #expect(counts.withLock { $0 } == [Int](repeating: 1, count: chunks))
            #expect(chunkZeroThread.withLock { $0 } == caller)
        }
        #expect(!pool.run(chunks: 5) { _ in }, "more chunks than workers + caller must be declined")
    }

    @Test func eachChunkRunsOnTheSameWorkerEveryTime() {
        let pool = WorkerPool(workerCount: 2)
        let threads = Mutex([Set<UInt>](repeating: [], count: 3))
        for _ in 0..<200 {
            #expect(pool.run(chunks: 3) { c in
                let id = Self.threadID()
                threads.withLock { _ = $0[c].insert(id) }
            })
        }
        let seen = threads.withLock { $0 }
        #expect(seen.allSatisfy { $0.count == 1 }, "a chunk moved between threads: \(seen)")
        #expect(Set(seen.flatMap { $0 }).count == 3)
    }

    @Test func aBusyPoolDeclinesANestedRun() {
        let pool = WorkerPool(workerCount: 1)
        let nested = Mutex<Bool?>(nil)
        #expect(pool.run(chunks: 2) { c in
            if c == 0 { nested.withLock { $0 = pool.run(chunks: 2) { _ in } } }
        })
        #expect(nested.withLock { $0 } == false)
        #expect(pool.run(chunks: 2) { _ in }, "the pool must be free again after the outer run")
    }

    @Test func forRangesCoversEveryIndexOnceAtAnyThreadCount() {
        for threads in [1, 2, 3, 8] {
            let n = 100_003
            let hits = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
            hits.initialize(repeating: 0)
            defer { hits.deallocate() }
            let out = UncheckedSendable(hits)
            Parallel.$maxThreads.withValue(threads) {
                Parallel.forRanges(n) { r in for i in r { out.value[i] += 1 } }
            }
            #expect(hits.allSatisfy { $0 == 1 }, "threads \(threads)")
        }
    }
}
