import Dispatch
import Foundation

/// Batches of 0..<count in order, each produced by `prepare(range)`; while the caller uses batch i,
/// batch i+1 is prepared on a background queue. Order and contents are deterministic; only timing
/// overlaps. Not itself thread-safe: one consumer calls `next()`.
public final class PrefetchingBatches<Batch: Sendable> {
    public let count: Int
    public let batchSize: Int
    private let prepare: @Sendable (Range<Int>) throws -> Batch
    private var nextStart = 0
    private var pending: (group: DispatchGroup, slot: ResultSlot<Batch>)?

    public init(count: Int, batchSize: Int, prepare: @escaping @Sendable (Range<Int>) throws -> Batch) throws {
        guard count >= 0 else { throw KaizenError.invalidArgument(name: "count", detail: "must be >= 0, got \(count)") }
        guard batchSize > 0 else { throw KaizenError.invalidArgument(name: "batchSize", detail: "must be positive, got \(batchSize)") }
        self.count = count; self.batchSize = batchSize; self.prepare = prepare
        launchNext()
    }

    deinit { pending?.group.wait() }

    /// Number of batches in total (the last one may be short).
    public var batchCount: Int { (count + batchSize - 1) / batchSize }

    /// The next batch, or nil after the last; rethrows an error raised while preparing it.
    public func next() throws -> Batch? {
        guard let job = pending else { return nil }
        job.group.wait()
        pending = nil
        let result = job.slot.take()
        launchNext()
        return try result?.get()
    }

    private func launchNext() {
        guard nextStart < count else { return }
        let range = nextStart..<min(nextStart + batchSize, count)
        nextStart = range.upperBound
        let group = DispatchGroup(), slot = ResultSlot<Batch>(), prepare = self.prepare
        DispatchQueue.global(qos: .userInitiated).async(group: group) {
            slot.put(Result { try prepare(range) })
        }
        pending = (group, slot)
    }
}

extension PrefetchingBatches where Batch == LabeledImageBatch {
    /// Batches of `data` passed through `transform` (e.g. `ImagePreparation.prepare(grey:size:)`).
    public convenience init(_ data: LabeledImages, batchSize: Int,
                            transform: @escaping @Sendable (Tensor) throws -> Tensor = { $0 }) throws {
        try self.init(count: data.count, batchSize: batchSize) { range in
            let images = try data.images.narrowed(axis: 0, start: range.lowerBound, length: range.count).contiguousValues()
            return LabeledImageBatch(range: range, images: try transform(images), labels: Array(data.labels[range]))
        }
    }
}

/// One batch of images with its labels and its position in the dataset.
public struct LabeledImageBatch: Sendable {
    public let range: Range<Int>
    public let images: Tensor
    public let labels: [Int]
}

/// Hands one result from the producing queue to the consumer; the DispatchGroup orders the write
/// before the read and the lock makes that explicit.
private final class ResultSlot<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<Value, any Error>?

    func put(_ v: Result<Value, any Error>) { lock.lock(); value = v; lock.unlock() }
    func take() -> Result<Value, any Error>? { lock.lock(); defer { lock.unlock() }; let v = value; value = nil; return v }
}
