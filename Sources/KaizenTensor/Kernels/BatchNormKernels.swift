/// Per-channel statistics and affine maps over NCHW data for batch normalisation. Channels are
/// independent, so reductions run in parallel over channels and elementwise maps over planes.
enum BatchNormKernels {
    /// Batch mean and biased variance per channel (two passes: no cancellation).
    static func statistics(x: UnsafePointer<Float>, batch: Int, channels: Int, plane: Int,
                           mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>) {
        let px = UncheckedSendable(x), pm = UncheckedSendable(mean), pv = UncheckedSendable(variance)
        let count = Double(batch * plane)
        Parallel.forRanges(channels, costPerItem: 2 * batch * plane) { range in
            for c in range {
                var s = 0.0
                for n in 0..<batch { s += Double(Kernels.sum(px.value + (n * channels + c) * plane, plane)) }
                let m = Float(s / count)
                var q = 0.0
                for n in 0..<batch { q += Double(squaredDeviation(px.value + (n * channels + c) * plane, plane, m)) }
                pm.value[c] = m
                pv.value[c] = Float(q / count)
            }
        }
    }

    /// Sum of (p[i] - mean)^2 with SIMD accumulators.
    @inline(__always)
    static func squaredDeviation(_ p: UnsafePointer<Float>, _ n: Int, _ mean: Float) -> Float {
        var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>()
        let m = SIMD16<Float>(repeating: mean), raw = UnsafeRawPointer(p)
        var i = 0
        while i + 32 <= n {
            let a = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) - m
            let b = raw.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self) - m
            acc0 += a * a
            acc1 += b * b
            i += 32
        }
        var s = (acc0 + acc1).sum()
        while i < n { let d = p[i] - mean; s += d * d; i += 1 }
        return s
    }

    /// out = x * scale[c] + shift[c], optionally also adding `extra` (gradients: gx = a*g + b*x + c0).
    static func channelAffine(x: UnsafePointer<Float>, scale: UnsafePointer<Float>, shift: UnsafePointer<Float>,
                              out: UnsafeMutablePointer<Float>, batch: Int, channels: Int, plane: Int,
                              extra: UnsafePointer<Float>? = nil, extraScale: UnsafePointer<Float>? = nil) {
        let px = UncheckedSendable(x), ps = UncheckedSendable(scale), pb = UncheckedSendable(shift)
        let po = UncheckedSendable(out), pe = UncheckedSendable(extra), pes = UncheckedSendable(extraScale)
        Parallel.forRanges(batch * channels, costPerItem: plane) { range in
            for p in range {
                let c = p % channels
                let a = ps.value[c], b = pb.value[c]
                let src = px.value + p * plane, dst = po.value + p * plane
                if let e = pe.value, let es = pes.value {
                    let k = es[c], ep = e + p * plane
                    for i in 0..<plane { dst[i] = src[i] * a + ep[i] * k + b }
                } else {
                    for i in 0..<plane { dst[i] = src[i] * a + b }
                }
            }
        }
    }

    /// Per channel: sum of g and sum of g * x.
    static func gradientSums(gradOut: UnsafePointer<Float>, x: UnsafePointer<Float>, batch: Int, channels: Int, plane: Int,
                             sumG: UnsafeMutablePointer<Double>, sumGX: UnsafeMutablePointer<Double>) {
        let pg = UncheckedSendable(gradOut), px = UncheckedSendable(x)
        let psg = UncheckedSendable(sumG), psgx = UncheckedSendable(sumGX)
        Parallel.forRanges(channels, costPerItem: 2 * batch * plane) { range in
            for c in range {
                var s = 0.0, sx = 0.0
                for n in 0..<batch {
                    let off = (n * channels + c) * plane
                    s += Double(Kernels.sum(pg.value + off, plane))
                    sx += Double(Kernels.dot(pg.value + off, px.value + off, plane))
                }
                psg.value[c] = s
                psgx.value[c] = sx
            }
        }
    }
}
