/// How `BLAS` cuts one matrix product C[m, n] between Kaizen's threads: into ranges of whole rows
/// or whole columns of C, one contiguous range per thread, each a single-threaded BLAS call.
/// The larger of m and n is cut, so the operand that every block reads in full (and OpenBLAS packs
/// once per block) is the smaller one; cuts fall on multiples of 16, the width of OpenBLAS's
/// AVX-512 sgemm kernel, so no block runs a narrower edge kernel than the whole product would.
enum ProductBlocks {
    /// Products of fewer multiply-adds stay on the calling thread (OpenBLAS's own threshold): a
    /// few microseconds of work, against about one to hand a block to a worker.
    static let minimumMultiplyAdds = 1 << 18
    static let unit = 16

    /// Calls `body(rows, columns)` for blocks that tile `0..<m` x `0..<n`, on up to
    /// `Parallel.maxThreads` threads; the whole product in one call when it is small or thin.
    static func forEach(m: Int, n: Int, k: Int, _ body: (_ rows: Range<Int>, _ columns: Range<Int>) -> Void) {
        let cutRows = m > n
        let length = cutRows ? m : n
        let blocks = (length + unit - 1) / unit
        guard Parallel.maxThreads > 1, blocks > 1, m * n * max(k, 1) >= minimumMultiplyAdds else {
            body(0..<m, 0..<n)
            return
        }
        Parallel.forRanges(blocks, costPerItem: Parallel.minimumGrain) { range in
            let cut = range.lowerBound * unit..<min(range.upperBound * unit, length)
            if cutRows { body(cut, 0..<n) } else { body(0..<m, cut) }
        }
    }
}
