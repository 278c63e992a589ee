/// Depthwise convolution (multiplier 1, any kernel, stride, dilation and padding) eight channels at
/// a time: the eight planes are interleaved into one zero-padded [paddedH, paddedW, 8] buffer, so
/// each tap is one SIMD8 multiply-add for eight channels whatever the plane size or stride. This is
/// the layout oneDNN uses; it wins over per-plane loops on small planes (16x16 down to 2x2), at
/// stride 2 and with 5x5 kernels, where row loops are short and borders dominate.
///
/// A block holds `lanes` channels per pixel: 8, or 16 for the forward of an AVX-512 build
/// (`KAIZEN_AVX512`: one 16-float multiply-add per tap), packed eight planes at a time.
struct DepthwiseChannelBlock {
    /// Channels per block in the forward kernel.
    typealias ForwardLanes = WideFloatVector
    let geometry: ConvGeometry
    let paddedH: Int, paddedW: Int
    let lanes: Int

    init(_ g: ConvGeometry, lanes: Int = 8) {
        geometry = g
        paddedH = g.height + g.padding.top + g.padding.bottom
        paddedW = g.width + g.padding.left + g.padding.right
        self.lanes = lanes
    }

    var paddedCount: Int { paddedH * paddedW * lanes }

    /// Byte offsets into the padded block of pixels `pixelBytes` wide: of each output pixel's window
    /// (raster order) and of each tap within a window, so the kernels never divide per pixel.
    func windowOffsets(pixelBytes: Int, bases: UnsafeMutablePointer<Int>, taps: UnsafeMutablePointer<Int>?) {
        let g = geometry
        for oh in 0..<g.outH {
            for ow in 0..<g.outW { bases[oh * g.outW + ow] = (oh * g.strideH * paddedW + ow * g.strideW) * pixelBytes }
        }
        guard let taps else { return }
        for t in 0..<g.taps {
            taps[t] = ((t / g.kernelW) * g.dilationH * paddedW + (t % g.kernelW) * g.dilationW) * pixelBytes
        }
    }

    /// Interleaves planes `first..<first+count` (at most `lanes`) of the image at `image` into the
    /// padded buffer, whose border (and unused lanes) must hold zeros.
    func pack(_ image: UnsafePointer<Float>, first: Int, count: Int, into buf: UnsafeMutablePointer<Float>) {
        var done = 0
        while done < count {
            packEight(image + (first + done) * geometry.planeIn, count: min(8, count - done), into: buf + done)
            done += 8
        }
    }

    /// Eight planes (or `count` fewer) into lanes 0..<count of pixels `lanes` floats apart.
    private func packEight(_ planes: UnsafePointer<Float>, count: Int, into buf: UnsafeMutablePointer<Float>) {
        let g = geometry, lanes = self.lanes
        if count == 8 && g.width < 8 {
            // Rows narrower than a vector (4x4 planes at N64): transpose eight consecutive pixels,
            // which span rows, then put each pixel's eight channels at its padded position.
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 64) { temp in
                let t = temp.baseAddress!
                var q = 0, r = 0, c = 0
                while q + 8 <= g.planeIn {
                    Transpose8x8.copy(from: planes + q, srcStride: g.planeIn, to: t, dstStride: 8)
                    for i in 0..<8 {
                        UnsafeMutableRawPointer(buf + ((r + g.padding.top) * paddedW + g.padding.left + c) * lanes)
                            .storeBytes(of: UnsafeRawPointer(t + i * 8).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
                        c += 1
                        if c == g.width { c = 0; r += 1 }
                    }
                    q += 8
                }
                while q < g.planeIn {
                    for k in 0..<8 { buf[((r + g.padding.top) * paddedW + g.padding.left + c) * lanes + k] = planes[k * g.planeIn + q] }
                    c += 1
                    if c == g.width { c = 0; r += 1 }
                    q += 1
                }
            }
            return
        }
        for r in 0..<g.height {
            let d = buf + ((r + g.padding.top) * paddedW + g.padding.left) * lanes
            var c = 0
            if count == 8 {
                while c + 8 <= g.width {
                    Transpose8x8.copy(from: planes + r * g.width + c, srcStride: g.planeIn, to: d + c * lanes, dstStride: lanes)
                    c += 8
                }
            }
            for k in 0..<count {
                let s = planes + k * g.planeIn + r * g.width
                for cc in c..<g.width { d[cc * lanes + k] = s[cc] }
            }
        }
    }

    /// Writes lanes 0..<count of an unpadded [h, w, lanes] buffer to planes `first..<first+count`.
    static func unpack(_ buf: UnsafePointer<Float>, plane: Int, first: Int, count: Int, lanes: Int = 8,
                       into image: UnsafeMutablePointer<Float>) {
        var done = 0
        while done < count {
            let d = image + (first + done) * plane, src = buf + done, eight = min(8, count - done)
            var p = 0
            if eight == 8 {
                while p + 8 <= plane {
                    Transpose8x8.copy(from: src + p * lanes, srcStride: lanes, to: d + p, dstStride: plane)
                    p += 8
                }
            }
            for k in 0..<eight { for q in p..<plane { d[k * plane + q] = src[q * lanes + k] } }
            done += 8
        }
    }

    /// Interleaves planes `first..<first+count` of `image` ([C, plane]) into an unpadded [plane, 8] buffer.
    static func interleave(_ image: UnsafePointer<Float>, plane: Int, first: Int, count: Int,
                           into buf: UnsafeMutablePointer<Float>) {
        if count < 8 { buf.update(repeating: 0, count: plane * 8) }
        let s = image + first * plane
        var p = 0
        if count == 8 {
            while p + 8 <= plane {
                Transpose8x8.copy(from: s + p, srcStride: plane, to: buf + p * 8, dstStride: 8)
                p += 8
            }
        }
        for k in 0..<count { for q in p..<plane { buf[q * 8 + k] = s[k * plane + q] } }
    }

    /// All weights [C, taps] regrouped as [blocks, taps, lanes] (zeros for missing channels). Built
    /// with scalar stores: inserting lanes into a SIMD8 one by one stalls on store forwarding.
    static func blockedWeights(_ weight: UnsafePointer<Float>, channels: Int, taps: Int, lanes: Int = 8) -> UnsafeMutablePointer<Float> {
        let blocks = (channels + lanes - 1) / lanes
        let w = UnsafeMutablePointer<Float>.allocate(capacity: blocks * taps * lanes)
        w.initialize(repeating: 0, count: blocks * taps * lanes)
        for c in 0..<channels { for t in 0..<taps { w[((c / lanes) * taps + t) * lanes + c % lanes] = weight[c * taps + t] } }
        return w
    }
}

enum DepthwiseBlockedKernels {
    static func applies(_ g: ConvGeometry, multiplier: Int) -> Bool { multiplier == 1 }

    /// Forward in blocks of `DepthwiseChannelBlock.ForwardLanes` channels (16 with AVX-512, else 8).
    static func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        out: UnsafeMutablePointer<Float>, geometry g: ConvGeometry) {
        typealias Lanes = DepthwiseChannelBlock.ForwardLanes
        let lanes = Lanes.scalarCount, pixelBytes = lanes * 4
        let block = DepthwiseChannelBlock(g, lanes: lanes)
        let blocks = (g.channels + lanes - 1) / lanes
        let px = UncheckedSendable(x), po = UncheckedSendable(out)
        let allWeights = DepthwiseChannelBlock.blockedWeights(weight, channels: g.channels, taps: g.taps, lanes: lanes)
        let allBias = UnsafeMutablePointer<Float>.allocate(capacity: blocks * lanes)
        defer { allWeights.deallocate(); allBias.deallocate() }
        allBias.initialize(repeating: 0, count: blocks * lanes)
        if let bias { allBias.update(from: bias, count: g.channels) }
        let pw = UncheckedSendable(UnsafePointer(allWeights)), pb = UncheckedSendable(UnsafePointer(allBias))
        Parallel.forRanges(g.batch * blocks, costPerItem: lanes * g.planeOut * g.taps) { range in
            let buf = UnsafeMutablePointer<Float>.allocate(capacity: block.paddedCount)
            let result = UnsafeMutablePointer<Float>.allocate(capacity: g.planeOut * lanes)
            let offsets = UnsafeMutablePointer<Int>.allocate(capacity: g.taps)
            let bases = UnsafeMutablePointer<Int>.allocate(capacity: g.planeOut)
            defer { buf.deallocate(); result.deallocate(); offsets.deallocate(); bases.deallocate() }
            block.windowOffsets(pixelBytes: pixelBytes, bases: bases, taps: offsets)
            buf.initialize(repeating: 0, count: block.paddedCount)
            for item in range {
                let n = item / blocks, first = (item % blocks) * lanes, count = min(lanes, g.channels - first)
                if count < lanes { buf.update(repeating: 0, count: block.paddedCount) }
                let image = px.value + n * g.channels * g.planeIn
                block.pack(image, first: first, count: count, into: buf)
                let w = UnsafeRawPointer(pw.value + (first / lanes) * g.taps * lanes)
                let b = UnsafeRawPointer(pb.value).loadUnaligned(fromByteOffset: first * 4, as: Lanes.self)
                let src = UnsafeRawPointer(buf), dst = UnsafeMutableRawPointer(result)
                // Four output pixels at a time in raster order, across row ends, so that planes
                // narrower than four (2x2 at N64) still run four independent accumulator chains.
                @inline(__always) func base(_ pixel: Int) -> Int { bases[pixel] }
                var pixel = 0
                while pixel + 4 <= g.planeOut {
                    var a0 = b, a1 = b, a2 = b, a3 = b
                    let b0 = base(pixel), b1 = base(pixel + 1), b2 = base(pixel + 2), b3 = base(pixel + 3)
                    for t in 0..<g.taps {
                        let wt = w.loadUnaligned(fromByteOffset: t * pixelBytes, as: Lanes.self), o = offsets[t]
                        a0.multiplyAdd(wt, src.loadUnaligned(fromByteOffset: b0 + o, as: Lanes.self))
                        a1.multiplyAdd(wt, src.loadUnaligned(fromByteOffset: b1 + o, as: Lanes.self))
                        a2.multiplyAdd(wt, src.loadUnaligned(fromByteOffset: b2 + o, as: Lanes.self))
                        a3.multiplyAdd(wt, src.loadUnaligned(fromByteOffset: b3 + o, as: Lanes.self))
                    }
                    dst.storeBytes(of: a0, toByteOffset: pixel * pixelBytes, as: Lanes.self)
                    dst.storeBytes(of: a1, toByteOffset: (pixel + 1) * pixelBytes, as: Lanes.self)
                    dst.storeBytes(of: a2, toByteOffset: (pixel + 2) * pixelBytes, as: Lanes.self)
                    dst.storeBytes(of: a3, toByteOffset: (pixel + 3) * pixelBytes, as: Lanes.self)
                    pixel += 4
                }
                while pixel < g.planeOut {
                    var a0 = b
                    let b0 = base(pixel)
                    for t in 0..<g.taps {
                        a0.multiplyAdd(w.loadUnaligned(fromByteOffset: t * pixelBytes, as: Lanes.self),
                                       src.loadUnaligned(fromByteOffset: b0 + offsets[t], as: Lanes.self))
                    }
                    dst.storeBytes(of: a0, toByteOffset: pixel * pixelBytes, as: Lanes.self)
                    pixel += 1
                }
                DepthwiseChannelBlock.unpack(result, plane: g.planeOut, first: first, count: count, lanes: lanes,
                                             into: po.value + n * g.channels * g.planeOut)
            }
        }
    }

    /// Input gradient (overwritten): each output gradient pixel is scattered over its taps into the
    /// padded interleaved gradient, whose interior is then written back to the planes.
    static func inputGradient(weight: UnsafePointer<Float>, gradOut: UnsafePointer<Float>,
                              gradInput: UnsafeMutablePointer<Float>, geometry g: ConvGeometry) {
        let block = DepthwiseChannelBlock(g)
        let blocks = (g.channels + 7) / 8
        let allWeights = DepthwiseChannelBlock.blockedWeights(weight, channels: g.channels, taps: g.taps)
        defer { allWeights.deallocate() }
        let pw = UncheckedSendable(UnsafePointer(allWeights)), pg = UncheckedSendable(gradOut)
        let pgx = UncheckedSendable(gradInput)
        Parallel.forRanges(g.batch * blocks, costPerItem: 8 * g.planeOut * g.taps) { range in
            let buf = UnsafeMutablePointer<Float>.allocate(capacity: block.paddedCount)
            let go = UnsafeMutablePointer<Float>.allocate(capacity: g.planeOut * 8)
            let offsets = UnsafeMutablePointer<Int>.allocate(capacity: g.taps)
            let bases = UnsafeMutablePointer<Int>.allocate(capacity: g.planeOut)
            defer { buf.deallocate(); go.deallocate(); offsets.deallocate(); bases.deallocate() }
            block.windowOffsets(pixelBytes: 32, bases: bases, taps: offsets)
            for item in range {
                let n = item / blocks, first = (item % blocks) * 8, count = min(8, g.channels - first)
                buf.update(repeating: 0, count: block.paddedCount)
                DepthwiseChannelBlock.interleave(pg.value + n * g.channels * g.planeOut, plane: g.planeOut,
                                                 first: first, count: count, into: go)
                let w = UnsafeRawPointer(pw.value + (first / 8) * g.taps * 8)
                let d = UnsafeMutableRawPointer(buf), s = UnsafeRawPointer(go)
                // A tap at a time over all pixels in raster order, four at a time across row ends: the
                // four windows of one tap never overlap, so the stores do not wait on each other
                // (per output row, loops of 8 or 4 pixels spent more on loop setup than on the work).
                for t in 0..<g.taps {
                    let wt = w.loadUnaligned(fromByteOffset: t * 32, as: SIMD8<Float>.self), o = offsets[t]
                    @inline(__always) func scatter(_ pixel: Int) {
                        let at = bases[pixel] + o
                        var v = d.loadUnaligned(fromByteOffset: at, as: SIMD8<Float>.self)
                        v.multiplyAdd(wt, s.loadUnaligned(fromByteOffset: pixel * 32, as: SIMD8<Float>.self))
                        d.storeBytes(of: v, toByteOffset: at, as: SIMD8<Float>.self)
                    }
                    var pixel = 0
                    while pixel + 4 <= g.planeOut {
                        scatter(pixel); scatter(pixel + 1); scatter(pixel + 2); scatter(pixel + 3)
                        pixel += 4
                    }
                    while pixel < g.planeOut { scatter(pixel); pixel += 1 }
                }
                // Interior of the padded gradient -> planes.
                let planes = pgx.value + (n * g.channels + first) * g.planeIn
                for r in 0..<g.height {
                    let src = buf + ((r + g.padding.top) * block.paddedW + g.padding.left) * 8
                    var c = 0
                    if count == 8 {
                        while c + 8 <= g.width {
                            Transpose8x8.copy(from: src + c * 8, srcStride: 8, to: planes + r * g.width + c, dstStride: g.planeIn)
                            c += 8
                        }
                    }
                    for k in 0..<count {
                        let dst = planes + k * g.planeIn + r * g.width
                        for cc in c..<g.width { dst[cc] = src[cc * 8 + k] }
                    }
                }
            }
        }
    }

    /// Weight gradient [C, 1, kh, kw] (overwritten), eight channels per SIMD lane set, over the batch.
    /// 3- and 5-wide kernels run a kernel row at a time over pixel pairs (`KernelRowDots`): 6 or 10
    /// independent accumulators, where a tap at a time had 2 and waited on the adder.
    static func weightGradient(x: UnsafePointer<Float>, gradOut: UnsafePointer<Float>,
                               gradWeight: UnsafeMutablePointer<Float>, geometry g: ConvGeometry) {
        let block = DepthwiseChannelBlock(g)
        let blocks = (g.channels + 7) / 8
        let px = UncheckedSendable(x), pg = UncheckedSendable(gradOut), pgw = UncheckedSendable(gradWeight)
        let byRows = g.kernelW == 3 || g.kernelW == 5
        Parallel.forRanges(blocks, costPerItem: 8 * g.batch * g.planeOut * g.taps) { range in
            let buf = UnsafeMutablePointer<Float>.allocate(capacity: block.paddedCount)
            let go = UnsafeMutablePointer<Float>.allocate(capacity: g.planeOut * 8)
            let acc = UnsafeMutablePointer<Float>.allocate(capacity: g.taps * 8)
            let bases = UnsafeMutablePointer<Int>.allocate(capacity: g.planeOut)
            defer { buf.deallocate(); go.deallocate(); acc.deallocate(); bases.deallocate() }
            block.windowOffsets(pixelBytes: 32, bases: bases, taps: nil)
            buf.initialize(repeating: 0, count: block.paddedCount)
            for blk in range {
                let first = blk * 8, count = min(8, g.channels - first)
                if count < 8 { buf.update(repeating: 0, count: block.paddedCount) }
                acc.initialize(repeating: 0, count: g.taps * 8)
                let accRaw = UnsafeMutableRawPointer(acc)
                for n in 0..<g.batch {
                    block.pack(px.value + n * g.channels * g.planeIn, first: first, count: count, into: buf)
                    DepthwiseChannelBlock.interleave(pg.value + n * g.channels * g.planeOut, plane: g.planeOut,
                                                     first: first, count: count, into: go)
                    let s = UnsafeRawPointer(buf), gs = UnsafeRawPointer(go)
                    if byRows {
                        let dots = KernelRowDots(source: s, gradient: gs, bases: bases, pixels: g.planeOut,
                                                 tapStep: g.dilationW * 32)
                        for i in 0..<g.kernelH {
                            let rowOffset = i * g.dilationH * block.paddedW * 32
                            let into = accRaw + i * g.kernelW * 32
                            if g.kernelW == 3 { dots.addThree(rowOffset: rowOffset, into: into) }
                            else { dots.addFive(rowOffset: rowOffset, into: into) }
                        }
                        continue
                    }
                    let step = g.strideW * 32
                    for t in 0..<g.taps {
                        let i = t / g.kernelW, j = t % g.kernelW
                        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>()
                        for oh in 0..<g.outH {
                            var o = ((oh * g.strideH + i * g.dilationH) * block.paddedW + j * g.dilationW) * 32
                            var so = oh * g.outW * 32
                            var ow = 0
                            while ow + 2 <= g.outW {
                                a0.multiplyAdd(gs.loadUnaligned(fromByteOffset: so, as: SIMD8<Float>.self), s.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self))
                                a1 += gs.loadUnaligned(fromByteOffset: so + 32, as: SIMD8<Float>.self)
                                    * s.loadUnaligned(fromByteOffset: o + step, as: SIMD8<Float>.self)
                                o += 2 * step
                                so += 64
                                ow += 2
                            }
                            if ow < g.outW {
                                a0.multiplyAdd(gs.loadUnaligned(fromByteOffset: so, as: SIMD8<Float>.self), s.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self))
                            }
                        }
                        let sum = accRaw.loadUnaligned(fromByteOffset: t * 32, as: SIMD8<Float>.self) + a0 + a1
                        accRaw.storeBytes(of: sum, toByteOffset: t * 32, as: SIMD8<Float>.self)
                    }
                }
                for k in 0..<count { for t in 0..<g.taps { pgw.value[(first + k) * g.taps + t] = acc[t * 8 + k] } }
            }
        }
    }
}
