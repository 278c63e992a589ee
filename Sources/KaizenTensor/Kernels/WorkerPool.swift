import Foundation
import Synchronization

/// Persistent worker threads for `Parallel.forRanges`, with a fixed chunk-to-thread assignment
/// (OpenMP's static schedule): chunk 0 runs on the caller, chunk i on worker i, every time.
///
/// Why not `DispatchQueue.concurrentPerform`: it hands chunks to whichever thread comes first, so
/// the half of a tensor that one core just wrote is often read by the other core on the next op,
/// from L3 instead of its own L2 (a 1M-float sum on 2 threads ran anywhere from 8.6 to 18 GFLOP/s).
/// After a job a worker polls for the next one for 2 ms, yielding its core on every poll (to the
/// caller if the kernel put both on one core, or to another process), then sleeps on a
/// condition. One caller at a time uses the pool; any other (nested loops, concurrent callers)
/// takes `concurrentPerform` as before.
@usableFromInline
final class WorkerPool: @unchecked Sendable {
    /// One worker per further active processor, created on first use; `KAIZEN_WORKER_POOL=0` leaves
    /// every loop to `concurrentPerform` (for comparisons).
    @usableFromInline static let shared = WorkerPool(
        workerCount: ProcessInfo.processInfo.environment["KAIZEN_WORKER_POOL"] == "0"
            ? 0 : max(ProcessInfo.processInfo.activeProcessorCount - 1, 0))

    /// How long an idle worker polls for the next job before it sleeps (kernels come back to back).
    static let spinNanoseconds: UInt64 = 2_000_000

    let workerCount: Int
    /// Taken by the one caller that drives the workers.
    private let inUse = Atomic<Bool>(false)
    /// Job counter times 256 plus the job's chunk count, so that a worker reads both in one load.
    private let generation = Atomic<Int>(0)
    /// Workers still running a chunk of the current job.
    private let pending = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let condition = NSCondition()
    /// The current job's body: written before `generation` is released, cleared after `pending` is 0.
    private nonisolated(unsafe) var body: ((Int) -> Void)?

    init(workerCount: Int) {
        self.workerCount = min(workerCount, 255)
        for index in 0..<self.workerCount {
            let thread = Thread { [unowned self] in self.workerLoop(index: index + 1) }
            thread.stackSize = 8 << 20
            thread.name = "kaizen-worker-\(index + 1)"
            thread.start()
        }
    }

    /// Runs `chunk(c)` for c in 0..<chunks, chunk 0 on the calling thread; false (nothing run) when
    /// the pool is busy with another caller or has too few workers.
    @usableFromInline func run(chunks: Int, _ chunk: (Int) -> Void) -> Bool {
        guard workerCount > 0, chunks - 1 <= workerCount,
              inUse.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else { return false }
        defer { inUse.store(false, ordering: .releasing) }
        withoutActuallyEscaping(chunk) { chunk in
            body = chunk
            pending.store(chunks - 1, ordering: .relaxed)
            let next = (generation.load(ordering: .relaxed) / 256 + 1) * 256 + chunks
            generation.store(next, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                condition.lock()
                condition.broadcast()
                condition.unlock()
            }
            chunk(0)
            var polls = 0
            while pending.load(ordering: .acquiring) > 0 {
                polls += 1
                if polls > 4096 { sched_yield() }
            }
            body = nil
        }
        return true
    }

    private func workerLoop(index: Int) {
        var seen = 0
        while true {
            seen = waitForJob(after: seen)
            if index < seen % 256 {
                runChunk(index)
                pending.subtract(1, ordering: .releasing)
            }
        }
    }

    /// Kept out of line so that the worker holds no reference to the body once it has returned
    /// (`withoutActuallyEscaping` checks that none is left).
    @inline(never)
    private func runChunk(_ index: Int) {
        body?(index)
    }

    private func waitForJob(after seen: Int) -> Int {
        let start = DispatchTime.now().uptimeNanoseconds
        var polls = 0
        while true {
            let current = generation.load(ordering: .acquiring)
            if current != seen { return current }
            polls += 1
            // Yielding keeps the core free for any other runnable thread (the caller's, another process's).
            if polls > 64 {
                sched_yield()
                if polls % 16 == 0 && DispatchTime.now().uptimeNanoseconds - start > Self.spinNanoseconds { break }
            }
        }
        condition.lock()
        sleepers.add(1, ordering: .sequentiallyConsistent)
        var current = generation.load(ordering: .sequentiallyConsistent)
        while current == seen {
            condition.wait()
            current = generation.load(ordering: .sequentiallyConsistent)
        }
        sleepers.subtract(1, ordering: .sequentiallyConsistent)
        condition.unlock()
        return current
    }
}
