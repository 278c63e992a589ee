/// Stride-1 depthwise convolution (3x3 or 5x5, dilation 1, any padding and multiplier), one plane
/// at a time on a zero-padded copy of its input: every output row then runs as whole SIMD8
/// vectors with no border checks (the plane's width is padded to a multiple of eight), and two
/// output rows share each loaded input vector. The copy is one contiguous pass per row, unlike the
/// channel-interleaved layout of `DepthwiseBlockedKernels`, whose scalar pack/unpack cost a third
/// of its time on the 14x14-56x56 planes of EfficientNet-Lite0.
enum DepthwiseRowKernel {
    /// Stride 1 and planes at least eight outputs wide (narrower rows would waste most lanes; the
    /// channel-blocked kernel is faster there).
    static func applies(_ g: ConvGeometry) -> Bool {
        (g.kernelH == 3 && g.kernelW == 3 || g.kernelH == 5 && g.kernelW == 5)
            && g.strideH == 1 && g.strideW == 1 && g.dilationH == 1 && g.dilationW == 1 && g.outW >= 8
    }

    static func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        out: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, multiplier m: Int) {
        let k = g.kernelH
        let vectors = (g.outW + 7) / 8
        let paddedW = vectors * 8 + k - 1, paddedH = g.outH + k - 1
        DepthwisePlaneLoop.run(x: x, weight: weight, bias: bias, out: out, geometry: g, multiplier: m,
                               scratchCount: paddedH * paddedW,
                               fill: { fill($0, paddedW: paddedW, from: $1, geometry: g) }) { p in
            let rows = PlaneRows(source: UnsafeRawPointer(p.scratch), paddedW: paddedW, out: p.out,
                                 outW: g.outW, outH: g.outH, taps: p.taps, bias: p.bias)
            if k == 3 { rows.run3() } else { rows.run5() }
        }
    }

    /// Stride-1 input gradient: the forward kernel over the output gradient with the kernel rotated
    /// by 180 degrees and the complementary padding (k - 1 - p on each side).
    static func appliesToInputGradient(_ g: ConvGeometry, multiplier: Int) -> Bool {
        let p = g.padding
        return applies(g) && multiplier == 1 && max(p.top, p.bottom, p.left, p.right) <= g.kernelH - 1
            && g.width >= 8
    }

    static func inputGradient(weight: UnsafePointer<Float>, gradOut: UnsafePointer<Float>,
                              gradInput: UnsafeMutablePointer<Float>, geometry g: ConvGeometry) {
        let taps = g.taps
        let flipped = UnsafeMutablePointer<Float>.allocate(capacity: g.channels * taps)
        defer { flipped.deallocate() }
        for c in 0..<g.channels { for t in 0..<taps { flipped[c * taps + t] = weight[c * taps + taps - 1 - t] } }
        let p = g.padding, e = g.kernelH - 1
        let back = ConvGeometry(batch: g.batch, channels: g.channels, height: g.outH, width: g.outW,
                                kernel: (g.kernelH, g.kernelW), stride: (1, 1), dilation: (1, 1),
                                padding: Padding2D(top: e - p.top, bottom: e - p.bottom, left: e - p.left, right: e - p.right))
        forward(x: gradOut, weight: flipped, bias: nil, out: gradInput, geometry: back, multiplier: 1)
    }

    /// One output plane, two rows at a time; its padded input starts at `source`.
    private struct PlaneRows {
        let source: UnsafeRawPointer
        let paddedW: Int
        let out: UnsafeMutablePointer<Float>
        let outW: Int, outH: Int
        let taps: UnsafePointer<SIMD8<Float>>
        let bias: SIMD8<Float>

        @inline(never) func run3() { run(k: 3) }
        @inline(never) func run5() { run(k: 5) }

        /// Called with a literal `k`, so that the tap loops unroll.
        @inline(__always)
        func run(k: Int) {
            let vectors = (outW &+ 7) / 8
            let rowBytes = paddedW &* 4
            var oh = 0
            while oh < outH {
                let pair = oh &+ 1 < outH
                let first = out + oh &* outW, second = first + outW
                let d0 = UnsafeMutableRawPointer(first), d1 = UnsafeMutableRawPointer(second)
                let top = source.advanced(by: oh &* rowBytes)
                for v in 0..<vectors {
                    var a0 = bias, a1 = bias
                    let base = v &* 32
                    // Input row 0 feeds only the first output row, row k only the second, the rows
                    // between feed both.
                    var row = top.advanced(by: base)
                    for j in 0..<k { a0.multiplyAdd(taps[j], row.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self)) }
                    for i in 1..<k {
                        row = top.advanced(by: i &* rowBytes &+ base)
                        for j in 0..<k {
                            let s = row.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self)
                            a0.multiplyAdd(taps[i &* k &+ j], s)
                            a1.multiplyAdd(taps[(i &- 1) &* k &+ j], s)
                        }
                    }
                    if pair {
                        row = top.advanced(by: k &* rowBytes &+ base)
                        for j in 0..<k {
                            a1.multiplyAdd(taps[(k &- 1) &* k &+ j], row.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self))
                        }
                    }
                    if v &* 8 &+ 8 <= outW {
                        d0.storeBytes(of: a0, toByteOffset: base, as: SIMD8<Float>.self)
                        if pair { d1.storeBytes(of: a1, toByteOffset: base, as: SIMD8<Float>.self) }
                    } else {
                        for q in 0..<(outW &- v &* 8) { first[v &* 8 &+ q] = a0[q] }
                        if pair { for q in 0..<(outW &- v &* 8) { second[v &* 8 &+ q] = a1[q] } }
                    }
                }
                oh &+= 2
            }
        }
    }

    /// Copies one input plane into the padded buffer, whose zero border stays untouched between
    /// planes (only the image rectangle is rewritten).
    @inline(__always)
    private static func fill(_ padded: UnsafeMutablePointer<Float>, paddedW: Int, from plane: UnsafePointer<Float>,
                             geometry g: ConvGeometry) {
        for r in 0..<g.height {
            (padded + (r + g.padding.top) * paddedW + g.padding.left).update(from: plane + r * g.width, count: g.width)
        }
    }
}
