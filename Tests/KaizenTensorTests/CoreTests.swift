import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import KaizenTensor

@Suite struct CoreTests {
    @Test func broadcastShapes() {
        #expect(Shape.broadcast([2, 1, 3], [4, 1]) == [2, 4, 3])
        #expect(Shape.broadcast([2, 3], [3, 2]) == nil)
    }

    @Test func viewsShareStorageAndCopyWhenNeeded() throws {
        let t = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let tt = try t.transposed()
        #expect(tt.storage === t.storage)
        #expect(!tt.isContiguous)
        #expect(tt.scalars == [1, 4, 2, 5, 3, 6])
        let s = try t.narrowed(axis: 1, start: 1, length: 2)
        #expect(s.scalars == [2, 3, 5, 6])
    }

    @Test func reshapeRejectsWrongCount() {
        #expect(throws: KaizenError.self) { try Tensor.zeros([2, 3]).reshaped([4]) }
    }

    @Test func binaryBroadcastValues() throws {
        let a = try Tensor(shape: [2, 1], values: [1, 2])
        let b = try Tensor(shape: [3], values: [10, 20, 30])
        #expect(try (a + b).scalars == [11, 21, 31, 12, 22, 32])
        #expect(throws: KaizenError.self) { try Tensor.zeros([2, 3]) + Tensor.zeros([2]) }
    }

    @Test func matmulMatchesNaiveWithTransposedViews() throws {
        var rng = RandomGenerator(seed: 1)
        let a = rng.normal([4, 3]), b = rng.normal([5, 3])
        let c = try a.matmul(b.transposed())  // transposed view, passed as a flag
        let av = a.scalars, bv = b.scalars, cv = c.scalars
        for i in 0..<4 { for j in 0..<5 {
            var s: Float = 0
            for k in 0..<3 { s += av[i * 3 + k] * bv[j * 3 + k] }
            #expect(Swift.abs(s - cv[i * 5 + j]) < 1e-5)
        } }
    }

    @Test func gradientsOfCoreOps() throws {
        var rng = RandomGenerator(seed: 3)
        let a = rng.normal([2, 3]), b = rng.normal([3]), m = rng.normal([3, 4])
        let cases: [(String, [Tensor], ([Tensor]) throws -> Tensor)] = [
            ("add", [a, b], { try $0[0] + $0[1] }),
            ("sub", [a, b], { try $0[0] - $0[1] }),
            ("mul", [a, b], { try $0[0] * $0[1] }),
            ("div", [a, b.abs() + 1], { try $0[0] / $0[1] }),
            ("matmul", [a, m], { try $0[0].matmul($0[1]) }),
            ("batched matmul", [rng.normal([2, 2, 3]), m], { try $0[0].matmul($0[1]) }),
            ("batched both", [rng.normal([2, 2, 3]), rng.normal([2, 4, 3])], { try $0[0].matmul($0[1].transposed()) }),
            ("sum axis", [a], { try $0[0].sum(axes: [1], keepDims: true) }),
            ("mean", [a], { try $0[0].mean(axes: [0]) }),
            ("permute+reshape", [rng.normal([2, 3, 2])], { try $0[0].permuted([2, 0, 1]).reshaped([4, 3]) }),
            ("narrow", [a], { try $0[0].narrowed(axis: 1, start: 1, length: 2) }),
            ("expand", [b], { try $0[0].expanded(to: [2, 3]) }),
        ]
        for (name, inputs, f) in cases {
            let report = try GradientCheck.run(inputs, f)
            #expect(report.maxError < 1e-2, "\(name): \(report)")
        }
    }

    @Test func graphIsReleasedAfterBackward() throws {
        let w = Tensor.ones([3]).requiringGrad()
        let y = try (w * w).sum()
        try y.backward()
        #expect(y.node?.isReleased == true)
        #expect(w.grad?.scalars == [2, 2, 2])
    }

    @Test func noGradRecordsNothing() throws {
        let w = Tensor.ones([3]).requiringGrad()
        let y = try noGrad { try (w * w).sum() }
        #expect(y.node == nil)
    }

    /// A long full sum runs as fixed blocks in parallel: exact to float rounding, and bit-identical
    /// whatever the thread count.
    @Test func longSumIsAccurateAndIndependentOfThreads() throws {
        var rng = RandomGenerator(seed: 31)
        let x = rng.uniform([300_001], low: 0, high: 1)
        let one = try Parallel.$maxThreads.withValue(1) { try x.sum().item() }
        let two = try Parallel.$maxThreads.withValue(2) { try x.sum().item() }
        let exact = x.scalars.reduce(0.0) { $0 + Double($1) }
        #expect(one == two)
        #expect(abs(Double(one) - exact) < 1e-5 * exact)
        let rows = try x.narrowed(axis: 0, start: 0, length: 300_000).reshaped([2, 150_000])
        let rowSums = try Parallel.$maxThreads.withValue(4) { try rows.sum(axes: [1]) }.scalars
        let expected = [0, 1].map { r in x.scalars[(r * 150_000)..<((r + 1) * 150_000)].reduce(0.0) { $0 + Double($1) } }
        for (a, b) in zip(rowSums, expected) { #expect(abs(Double(a) - b) < 1e-5 * b) }
    }

    @Test func rngIsSeeded() {
        var r1 = RandomGenerator(seed: 5), r2 = RandomGenerator(seed: 5)
        #expect(r1.normal([10]).scalars == r2.normal([10]).scalars)
        #expect(r1.permutation(10).sorted() == Array(0..<10))
    }
}

/// Large buffers are mapped directly (so freeing them returns memory to the system) and behave like
/// any other storage: values, views and arithmetic are unaffected.
@Suite struct LargeStorageTests {
    @Test func largeBuffersAreMappedAndHoldTheirValues() throws {
        let small = TensorStorage(uninitializedCount: 1000)
        #expect(!small.isMapped)
        let n = TensorStorage.mapThresholdBytes / 4 + 17
        var rng = RandomGenerator(seed: 5)
        let x = rng.uniform([n], low: -1, high: 1)
        #expect(x.storage.isMapped)
        let y = x * 2 + 1
        #expect(y.storage.isMapped)
        let tail = try x.narrowed(axis: 0, start: n - 5, length: 5).contiguous().scalars
        let yTail = try y.narrowed(axis: 0, start: n - 5, length: 5).contiguous().scalars
        for (a, b) in zip(tail, yTail) { #expect(b == a * 2 + 1) }
        #expect(abs(Double(try x.sum().item())) < Double(n) * 0.01)
    }

    @Test func largeStorageIsReusedAndRewritten() throws {
        let n = TensorStorage.mapThresholdBytes / 4 * 3
        var rng = RandomGenerator(seed: 9)
        for round in 0..<3 {
            // The second and third rounds usually get the first round's freed mapping back: the
            // values must still be exactly the new ones.
            let x = rng.uniform([n], low: -1, high: 1)
            let y = x * 2 + Float(round)
            let xs = x.scalars, ys = y.scalars
            #expect(zip(xs, ys).allSatisfy { $1 == $0 * 2 + Float(round) })
        }
    }

    @Test func bufferCacheReusesNearSizesAndStaysBounded() throws {
        let page = 4096, mb = 1 << 20
        let cache = MappedBufferCache(capacityBytes: 3 * mb)
        func map(_ bytes: Int) -> UnsafeMutableRawPointer {
            let p = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
            #expect(p != MAP_FAILED)
            return p
        }
        #expect(MappedBufferCache.mappingSize(forBytes: mb + 1) == mb + page)
        let a = map(mb)
        #expect(cache.give(a, bytes: mb))
        #expect(cache.cachedBytes == mb)
        // Too large a request (more than 25% below the cached size's lower bound) or too small.
        #expect(cache.take(bytes: 2 * mb) == nil)
        #expect(cache.take(bytes: mb / 2) == nil)
        let hit = try #require(cache.take(bytes: mb - 4 * page))
        #expect(hit.pointer == a && hit.bytes == mb)
        #expect(cache.cachedBytes == 0)
        // Beyond the capacity the oldest mapping goes; one larger than the capacity is refused.
        #expect(cache.give(hit.pointer, bytes: mb))
        #expect(cache.give(map(2 * mb), bytes: 2 * mb))
        #expect(cache.give(map(mb + page), bytes: mb + page))
        #expect(cache.cachedBytes == mb + page)  // both older mappings were evicted to fit
        #expect(cache.take(bytes: 2 * mb) == nil)
        #expect(cache.cachedBytes == mb + page)
        let big = map(4 * mb)
        #expect(!cache.give(big, bytes: 4 * mb))
        munmap(big, 4 * mb)
        cache.removeAll()
        #expect(cache.cachedBytes == 0)
    }

    @Test func bufferCacheSizeComesFromTheEnvironment() {
        #expect(MappedBufferCache.defaultCapacityBytes(environment: ["KAIZEN_BUFFER_CACHE_MB": "0"]) == 0)
        #expect(MappedBufferCache.defaultCapacityBytes(environment: ["KAIZEN_BUFFER_CACHE_MB": "64"]) == 64 << 20)
        #expect(MappedBufferCache.defaultCapacityBytes(environment: [:]) > 0)
    }
}

@Suite struct BLASCoreTests {
    @Test func recommendsKernelsOnlyAboveWhatOpenBLASChose() {
        let avx512: Set = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]
        let avx2: Set = ["sse3", "avx", "avx2", "fma"]
        #expect(BLASCore.recommendation(current: "Prescott", flags: avx512) == "SkylakeX")
        #expect(BLASCore.recommendation(current: "Prescott", flags: avx2) == "Haswell")
        #expect(BLASCore.recommendation(current: "Nehalem", flags: avx2) == "Haswell")
        #expect(BLASCore.recommendation(current: "Haswell", flags: avx512) == nil)
        #expect(BLASCore.recommendation(current: "SkylakeX", flags: avx512) == nil)
        #expect(BLASCore.recommendation(current: "Zen", flags: avx2) == nil)
        #expect(BLASCore.recommendation(current: "Prescott", flags: ["sse3", "avx"]) == nil)
    }

    @Test func readsFlagsFromCpuinfo() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cpuinfo-\(UUID().uuidString)")
        try "processor\t: 0\nflags\t\t: fpu sse3 avx2 fma\nbugs\t\t: none\n".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(BLASCore.cpuFlags(cpuinfo: url.path) == ["fpu", "sse3", "avx2", "fma"])
        #expect(BLASCore.cpuFlags(cpuinfo: "/no/such/file").isEmpty)
        #expect(!BLASCore.name.isEmpty)
    }
}
