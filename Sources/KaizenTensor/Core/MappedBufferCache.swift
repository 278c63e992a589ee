#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Recently freed large mappings, handed to the next allocation of about the same size.
///
/// Why: every fresh anonymous mapping pays one page fault per 4 KB on first touch (about 2 us on
/// this project's VMs, plus zeroing). A 9.6 MB conv output took 4.9 ms of faults against 2 ms of
/// arithmetic; training and inference loops allocate the same shapes every step, so keeping the
/// last few mappings removes that cost (PyTorch's allocator gets the same effect from malloc's heap).
/// The cache is bounded (`capacityBytes`, oldest evicted first), so memory stays flat, which is why
/// large buffers are mapped rather than taken from malloc in the first place (see `TensorStorage`).
///
/// It is the engine's one piece of process-wide mutable state: an allocator detail, invisible in
/// values, guarded by a lock.
public final class MappedBufferCache: @unchecked Sendable {
    /// The cache used by `TensorStorage`.
    public static let shared = MappedBufferCache(capacityBytes: defaultCapacityBytes())

    /// Most bytes kept mapped while unused.
    public let capacityBytes: Int
    private let lock = NSLock()
    /// Oldest first. Addresses as integers: the cache owns these mappings until it hands them out.
    private var entries: [(address: UInt, bytes: Int)] = []
    private var total = 0

    public init(capacityBytes: Int) {
        self.capacityBytes = max(0, capacityBytes)
    }

    /// `KAIZEN_BUFFER_CACHE_MB` if set (0 turns the cache off), else 1 GiB or an eighth of the
    /// machine's memory, whichever is smaller.
    static func defaultCapacityBytes(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        if let text = environment["KAIZEN_BUFFER_CACHE_MB"], let mb = Int(text), mb >= 0 { return mb << 20 }
        return Int(min(UInt64(1 << 30), ProcessInfo.processInfo.physicalMemory / 8))
    }

    /// Bytes currently held.
    public var cachedBytes: Int {
        lock.lock(); defer { lock.unlock() }
        return total
    }

    /// Page-rounded size of a mapping for `bytes`: requests of nearly the same size share mappings.
    public static func mappingSize(forBytes bytes: Int) -> Int {
        let page = 4096
        return (bytes + page - 1) / page * page
    }

    /// Takes the smallest cached mapping of at least `bytes` and at most 25% more (so a small
    /// request never pins a much larger mapping). Returns it with its true size, or nil.
    public func take(bytes: Int) -> (pointer: UnsafeMutableRawPointer, bytes: Int)? {
        lock.lock(); defer { lock.unlock() }
        var best: (index: Int, bytes: Int)?
        for (i, e) in entries.enumerated() where e.bytes >= bytes && e.bytes <= bytes + bytes / 4 {
            if e.bytes < best?.bytes ?? .max { best = (i, e.bytes) }
        }
        guard let (i, size) = best, let p = UnsafeMutableRawPointer(bitPattern: entries[i].address) else { return nil }
        entries.remove(at: i)
        total -= size
        return (p, size)
    }

    /// Keeps a mapping for reuse; evicts (unmaps) the oldest ones beyond the capacity. Returns false
    /// when the mapping alone exceeds the capacity: the caller unmaps it.
    public func give(_ pointer: UnsafeMutableRawPointer, bytes: Int) -> Bool {
        guard bytes <= capacityBytes else { return false }
        var evicted: [(address: UInt, bytes: Int)] = []
        lock.lock()
        entries.append((UInt(bitPattern: pointer), bytes))
        total += bytes
        var drop = 0
        while total > capacityBytes, drop < entries.count {
            total -= entries[drop].bytes
            drop += 1
        }
        evicted = Array(entries.prefix(drop))
        entries.removeFirst(drop)
        lock.unlock()
        for e in evicted { Self.unmap(e.address, bytes: e.bytes) }
        return true
    }

    /// Unmaps everything held (e.g. before a phase that needs the memory elsewhere).
    public func removeAll() {
        lock.lock()
        let all = entries
        entries = []
        total = 0
        lock.unlock()
        for e in all { Self.unmap(e.address, bytes: e.bytes) }
    }

    deinit { for e in entries { Self.unmap(e.address, bytes: e.bytes) } }

    private static func unmap(_ address: UInt, bytes: Int) {
        #if canImport(Glibc)
        if let p = UnsafeMutableRawPointer(bitPattern: address) { munmap(p, bytes) }
        #endif
    }
}
