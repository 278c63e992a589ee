/// Convolutions with few input channels (an RGB stem): im2col, then `ShallowProductKernel` instead of
/// sgemm, with the threads split over bands of output rows of every image.
/// OpenBLAS ran each image's 32 x 27 x P product on one thread however many it had (the stem took
/// 1.8 ms at N64 @64 on 1 thread and on 2).
enum ShallowConvKernels {
    /// Whether the conv goes through these kernels: ungrouped, not 1x1, and columns no taller than
    /// the output channels (`ShallowProductKernel.applies`).
    static func applies(_ g: ConvGeometry, outChannels: Int, groups: Int) -> Bool {
        groups == 1 && !DenseConvKernels.isPointwise(g) && ShallowProductKernel.applies(k: g.channels * g.taps, m: outChannels)
    }

    /// Distance between column rows for `pixels` pixels: whole vectors, and not a multiple of 1 KB,
    /// so that the 27 rows a product step reads do not all fall in one L1 set (N64 @64: 1,024 pixels).
    static func rowStride(pixels: Int) -> Int {
        let stride = (pixels + 15) / 16 * 16
        return stride % 256 == 0 ? stride + 16 : stride
    }

    /// Floats of the columns the forward keeps for the weight gradient: [N, C*kh*kw, rowStride(OH*OW)].
    static func keptCount(_ g: ConvGeometry) -> Int { g.batch * g.channels * g.taps * rowStride(pixels: g.planeOut) }

    /// out [N, O, OH, OW] = conv(x, weight) + bias, in bands of output rows whose columns fit in
    /// L2 (unfolded, then multiplied while still there); the (image, band) items are split between
    /// the threads. With `keptColumns` (`keptCount` floats, 64-byte aligned) the bands are unfolded
    /// into it, for the weight gradient; without, into a scratch band per thread.
    static func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        out: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, outChannels: Int,
                        keptColumns: UnsafeMutablePointer<Float>?) {
        let k = g.channels * g.taps, p = g.planeOut
        let bandRows = max(1, min(g.outH, bandPixels / max(g.outW, 1))), bands = (g.outH + bandRows - 1) / bandRows
        let src = UncheckedSendable(x), dst = UncheckedSendable(out), kept = keptColumns.map { UncheckedSendable($0) }
        let w = UncheckedSendable(weight), b = bias.map { UncheckedSendable($0) }
        // Scratch is vector aligned too: unaligned rows split every load across two cache lines.
        let stride = rowStride(pixels: bandRows * g.outW), keptStride = rowStride(pixels: p)
        Parallel.forRanges(g.batch * bands, costPerItem: k * bandRows * g.outW * outChannels) { items in
            let scratch = kept == nil
                ? UnsafeMutableRawPointer.allocate(byteCount: k * stride * 4, alignment: 64).bindMemory(to: Float.self, capacity: k * stride)
                : nil
            defer { scratch?.deallocate() }
            for item in items {
                let n = item / bands, band = item % bands
                let rows = band * bandRows..<min((band + 1) * bandRows, g.outH)
                let first = rows.lowerBound * g.outW, pixels = rows.count * g.outW
                // Kept columns: this band at its pixel offset in the image's rows.
                let columns = kept.map { $0.value + n * k * keptStride + first } ?? scratch!
                let ldb = kept == nil ? stride : keptStride
                Im2Col.unfoldBand(src.value + n * g.channels * g.planeIn, geometry: g, outputRows: rows,
                                  into: columns, rowStride: ldb)
                ShallowProductKernel.multiply(a: w.value, m: outChannels, k: k, b: columns, ldb: ldb,
                                              c: dst.value + n * outChannels * p + first, ldc: p, columns: 0..<pixels,
                                              bias: b?.value)
            }
        }
    }

    /// Output pixels per band of the forward: 27 column rows of 2,048 floats are 221 KB, in L2.
    static let bandPixels = 2_048

    /// gradWeight [O, C*kh*kw] (overwritten) = sum over images of gOut_n [O, P] * columns_n^T, from the
    /// forward's kept columns. Images go in groups of at least `groupPixels` pixels (small images
    /// share one pass and one set of horizontal sums); each group's product lands in its own slot
    /// and the slots are added in order, so the result does not depend on the thread count.
    static func weightGradient(gradOut: UnsafePointer<Float>, columns: UnsafePointer<Float>, geometry g: ConvGeometry,
                               outChannels: Int, gradWeight: UnsafeMutablePointer<Float>) {
        let k = g.channels * g.taps, p = g.planeOut, size = outChannels * k, ldb = rowStride(pixels: p)
        guard g.batch > 0 else { gradWeight.update(repeating: 0, count: size); return }
        let perGroup = min(max(groupPixels / max(p, 1), 1), g.batch), groups = (g.batch + perGroup - 1) / perGroup
        let slots = UnsafeMutablePointer<Float>.allocate(capacity: groups * size)
        defer { slots.deallocate() }
        let go = UncheckedSendable(gradOut), cols = UncheckedSendable(columns), out = UncheckedSendable(slots)
        Parallel.forRanges(groups, costPerItem: perGroup * k * p * outChannels) { range in
            for group in range {
                let first = group * perGroup, count = min(perGroup, g.batch - first)
                ShallowProductKernel.multiplyTransposed(g: go.value + first * outChannels * p, m: outChannels, ldg: p,
                                                        b: cols.value + first * k * ldb, k: k, ldb: ldb, n: p,
                                                        batches: count, gBatchStride: outChannels * p, bBatchStride: k * ldb,
                                                        out: out.value + group * size)
            }
        }
        gradWeight.update(from: slots, count: size)
        for group in 1..<groups {
            let slot = slots + group * size
            for i in 0..<size { gradWeight[i] += slot[i] }
        }
    }

    /// Pixels summed per pass of the weight gradient (a shape constant, not a thread count).
    static let groupPixels = 8_192
}
