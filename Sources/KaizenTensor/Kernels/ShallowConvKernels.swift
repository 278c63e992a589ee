/// Convolutions with few input channels (an RGB stem): im2col, then `ShallowProductKernel` instead of
/// sgemm, with the threads split over images (or over pixels for fewer images than threads).
/// OpenBLAS ran each image's 32 x 27 x P product on one thread however many it had (the stem took
/// 1.8 ms at N64 @64 on 1 thread and on 2).
enum ShallowConvKernels {
    /// Whether the conv goes through these kernels: ungrouped, not 1x1, and columns no taller than
    /// the output channels (`ShallowProductKernel.applies`).
    static func applies(_ g: ConvGeometry, outChannels: Int, groups: Int) -> Bool {
        groups == 1 && !DenseConvKernels.isPointwise(g) && ShallowProductKernel.applies(k: g.channels * g.taps, m: outChannels)
    }

    /// out [N, O, OH, OW] = conv(x, weight) + bias; every image's columns go to `columns`
    /// ([N, C*kh*kw, OH*OW]; the caller keeps them for the weight gradient or drops them).
    static func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        out: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, outChannels: Int,
                        columns: UnsafeMutablePointer<Float>) {
        let k = g.channels * g.taps, p = g.planeOut
        let src = UncheckedSendable(x), dst = UncheckedSendable(out), cols = UncheckedSendable(columns)
        let w = UncheckedSendable(weight), b = bias.map { UncheckedSendable($0) }
        func image(_ n: Int, pixels: Range<Int>) {
            ShallowProductKernel.multiply(a: w.value, m: outChannels, k: k, b: cols.value + n * k * p, ldb: p,
                                          c: dst.value + n * outChannels * p, ldc: p, columns: pixels, bias: b?.value)
        }
        if g.batch >= Parallel.maxThreads {
            Parallel.forRanges(g.batch, costPerItem: k * p * outChannels) { images in
                for n in images {
                    Parallel.$maxThreads.withValue(1) {
                        Im2Col.unfold(src.value + n * g.channels * g.planeIn, channelRange: 0..<g.channels,
                                      geometry: g, into: cols.value + n * k * p)
                    }
                    image(n, pixels: 0..<p)
                }
            }
        } else {
            // Few images: each one's columns in parallel, then its pixels split between the threads
            // in whole vector pairs.
            let step = 2 * ShallowProductKernel.width, blocks = (p + step - 1) / step
            for n in 0..<g.batch {
                Im2Col.unfold(x + n * g.channels * g.planeIn, channelRange: 0..<g.channels, geometry: g,
                              into: columns + n * k * p)
                Parallel.forRanges(blocks, costPerItem: step * k * outChannels) { range in
                    image(n, pixels: range.lowerBound * step..<min(range.upperBound * step, p))
                }
            }
        }
    }

    /// gradWeight [O, C*kh*kw] (overwritten) = sum over images of gOut_n [O, P] * columns_n^T, from the
    /// forward's columns. Images go in groups of at least `groupPixels` pixels (small images
    /// share one pass and one set of horizontal sums); each group's product lands in its own slot
    /// and the slots are added in order, so the result does not depend on the thread count.
    static func weightGradient(gradOut: UnsafePointer<Float>, columns: UnsafePointer<Float>, geometry g: ConvGeometry,
                               outChannels: Int, gradWeight: UnsafeMutablePointer<Float>) {
        let k = g.channels * g.taps, p = g.planeOut, size = outChannels * k
        guard g.batch > 0 else { gradWeight.update(repeating: 0, count: size); return }
        let perGroup = min(max(groupPixels / max(p, 1), 1), g.batch), groups = (g.batch + perGroup - 1) / perGroup
        let slots = UnsafeMutablePointer<Float>.allocate(capacity: groups * size)
        defer { slots.deallocate() }
        let go = UncheckedSendable(gradOut), cols = UncheckedSendable(columns), out = UncheckedSendable(slots)
        Parallel.forRanges(groups, costPerItem: perGroup * k * p * outChannels) { range in
            for group in range {
                let first = group * perGroup, count = min(perGroup, g.batch - first)
                ShallowProductKernel.multiplyTransposed(g: go.value + first * outChannels * p, m: outChannels, ldg: p,
                                                        b: cols.value + first * k * p, k: k, ldb: p, n: p,
                                                        batches: count, gBatchStride: outChannels * p, bBatchStride: k * p,
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
