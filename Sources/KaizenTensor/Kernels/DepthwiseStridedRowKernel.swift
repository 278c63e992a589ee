/// Stride-2 depthwise 3x3 convolution (dilation 1, any padding and multiplier) on planes at least
/// eight outputs wide. Each zero-padded input row is stored as its even columns followed by
/// its odd columns, so output column `ow` reads tap column `j` at `ow + j / 2` of phase `j % 2`:
/// whole SIMD8 loads instead of the strided scalar reads of a plain row sweep. The split costs one
/// shuffle per eight inputs. (5x5 was slower this way than the channel blocks: 2.5 -> 2.8-3.6 ms
/// at N8 144 @56, so it stays there.)
enum DepthwiseStridedRowKernel {
    static func applies(_ g: ConvGeometry) -> Bool {
        g.kernelH == 3 && g.kernelW == 3
            && g.strideH == 2 && g.strideW == 2 && g.dilationH == 1 && g.dilationW == 1 && g.outW >= 8
    }

    static func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        out: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, multiplier m: Int) {
        let k = 3
        let vectors = (g.outW + 7) / 8
        // Each phase holds the columns the last vector reads (ow + j / 2 < vectors * 8 + k / 2).
        let half = vectors * 8 + k / 2 + 1
        let paddedH = max(g.height + g.padding.top + g.padding.bottom, 2 * (g.outH - 1) + k)
        DepthwisePlaneLoop.run(x: x, weight: weight, bias: bias, out: out, geometry: g, multiplier: m,
                               scratchCount: paddedH * 2 * half,
                               fill: { fill($0, half: half, from: $1, geometry: g) }) { p in
            for oh in 0..<g.outH {
                StridedRow(source: UnsafeRawPointer(p.scratch + 2 * oh * 2 * half), half: half,
                           out: p.out + oh * g.outW, outW: g.outW, taps: p.taps, bias: p.bias).run3()
            }
        }
    }

    /// One output row; its k input rows start at `source`, each `2 * half` floats (even, then odd).
    private struct StridedRow {
        let source: UnsafeRawPointer
        let half: Int
        let out: UnsafeMutablePointer<Float>
        let outW: Int
        let taps: UnsafePointer<SIMD8<Float>>
        let bias: SIMD8<Float>

        @inline(never) func run3() { run(k: 3) }

        /// Called with a literal `k`, so that the tap loops unroll.
        @inline(__always)
        func run(k: Int) {
            let vectors = (outW &+ 7) / 8
            let rowBytes = 2 &* half &* 4
            let d = UnsafeMutableRawPointer(out)
            for v in 0..<vectors {
                var a = bias
                for i in 0..<k {
                    let row = source.advanced(by: i &* rowBytes &+ v &* 32)
                    for j in 0..<k {
                        let offset = ((j & 1) &* half &+ j / 2) &* 4
                        a.multiplyAdd(taps[i &* k &+ j], row.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self))
                    }
                }
                if v &* 8 &+ 8 <= outW {
                    d.storeBytes(of: a, toByteOffset: v &* 32, as: SIMD8<Float>.self)
                } else {
                    for q in 0..<(outW &- v &* 8) { out[v &* 8 &+ q] = a[q] }
                }
            }
        }
    }

    /// Splits each input row into the even and odd padded columns of its padded row. The zero
    /// border stays untouched between planes (only image positions are rewritten).
    @inline(__always)
    private static func fill(_ padded: UnsafeMutablePointer<Float>, half: Int, from plane: UnsafePointer<Float>,
                             geometry g: ConvGeometry) {
        let left = g.padding.left
        // Input column c lands in phase (c + left) % 2 at (c + left) / 2; c and c + 1 in opposite phases.
        let evenPhase = left & 1, oddPhase = (left + 1) & 1
        for r in 0..<g.height {
            let dst = padded + (r + g.padding.top) * 2 * half
            let src = plane + r * g.width
            var c = 0
            while c + 16 <= g.width {
                let v = UnsafeRawPointer(src + c).loadUnaligned(as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(dst + evenPhase * half + (c + left) / 2).storeBytes(of: v.evenHalf, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(dst + oddPhase * half + (c + 1 + left) / 2).storeBytes(of: v.oddHalf, as: SIMD8<Float>.self)
                c += 16
            }
            while c < g.width {
                let pc = c + left
                dst[(pc & 1) * half + pc / 2] = src[c]
                c += 1
            }
        }
    }
}
