/// The common depthwise case, 3x3 with dilation 1, as a single pass per output row: the nine taps
/// of an output are summed in registers (rows above/below the image read a zero row), columns
/// away from the border need no checks, and at stride 1 the row runs eight outputs at a time.
enum Depthwise3x3Kernel {
    static func applies(_ g: ConvGeometry) -> Bool {
        g.kernelH == 3 && g.kernelW == 3 && g.dilationH == 1 && g.dilationW == 1
    }

    static func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        out: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, multiplier m: Int) {
        let outChannels = g.channels * m
        let zeroRow = UnsafeMutablePointer<Float>.allocate(capacity: g.width)
        zeroRow.initialize(repeating: 0, count: g.width)
        defer { zeroRow.deallocate() }
        let left = g.validCols(0), right = g.validCols(2)
        let lo = max(left.lowerBound, right.lowerBound)
        let interior = lo..<max(lo, min(left.upperBound, right.upperBound))
        let px = UncheckedSendable(x), pw = UncheckedSendable(weight), po = UncheckedSendable(out)
        let pb = UncheckedSendable(bias), pz = UncheckedSendable(UnsafePointer(zeroRow))
        Parallel.forRanges(g.batch * outChannels, costPerItem: g.planeOut * 9) { range in
            for plane in range {
                let n = plane / outChannels, oc = plane % outChannels, c = oc / m
                let xp = px.value + (n * g.channels + c) * g.planeIn
                let w = pw.value + oc * 9
                let b = pb.value?[oc] ?? 0
                let op = po.value + plane * g.planeOut
                for oh in 0..<g.outH {
                    let top = oh * g.strideH - g.padding.top
                    let r0 = top >= 0 && top < g.height ? xp + top * g.width : pz.value
                    let r1 = top + 1 >= 0 && top + 1 < g.height ? xp + (top + 1) * g.width : pz.value
                    let r2 = top + 2 >= 0 && top + 2 < g.height ? xp + (top + 2) * g.width : pz.value
                    row(r0, r1, r2, w: w, bias: b, out: op + oh * g.outW, geometry: g, interior: interior)
                }
            }
        }
    }

    @inline(__always)
    static func row(_ r0: UnsafePointer<Float>, _ r1: UnsafePointer<Float>, _ r2: UnsafePointer<Float>,
                    w: UnsafePointer<Float>, bias: Float, out d: UnsafeMutablePointer<Float>,
                    geometry g: ConvGeometry, interior: Range<Int>) {
        let (w0, w1, w2, w3, w4, w5, w6, w7, w8) = (w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8])
        let sw = g.strideW, co = -g.padding.left
        var ow = interior.lowerBound
        if sw == 1 {
            let v = (SIMD8<Float>(repeating: w0), SIMD8<Float>(repeating: w1), SIMD8<Float>(repeating: w2),
                     SIMD8<Float>(repeating: w3), SIMD8<Float>(repeating: w4), SIMD8<Float>(repeating: w5),
                     SIMD8<Float>(repeating: w6), SIMD8<Float>(repeating: w7), SIMD8<Float>(repeating: w8))
            let a0 = UnsafeRawPointer(r0), a1 = UnsafeRawPointer(r1), a2 = UnsafeRawPointer(r2)
            let dr = UnsafeMutableRawPointer(d)
            while ow + 8 <= interior.upperBound {
                let o = (ow + co) * 4
                var s = SIMD8<Float>(repeating: bias)
                s.multiplyAdd(v.0, a0.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self))
                s.multiplyAdd(v.1, a0.loadUnaligned(fromByteOffset: o + 4, as: SIMD8<Float>.self))
                s.multiplyAdd(v.2, a0.loadUnaligned(fromByteOffset: o + 8, as: SIMD8<Float>.self))
                s.multiplyAdd(v.3, a1.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self))
                s.multiplyAdd(v.4, a1.loadUnaligned(fromByteOffset: o + 4, as: SIMD8<Float>.self))
                s.multiplyAdd(v.5, a1.loadUnaligned(fromByteOffset: o + 8, as: SIMD8<Float>.self))
                s.multiplyAdd(v.6, a2.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self))
                s.multiplyAdd(v.7, a2.loadUnaligned(fromByteOffset: o + 4, as: SIMD8<Float>.self))
                s.multiplyAdd(v.8, a2.loadUnaligned(fromByteOffset: o + 8, as: SIMD8<Float>.self))
                dr.storeBytes(of: s, toByteOffset: ow * 4, as: SIMD8<Float>.self)
                ow += 8
            }
        }
        while ow < interior.upperBound {
            let c = ow * sw + co
            var s = bias + w0 * r0[c] + w1 * r0[c + 1] + w2 * r0[c + 2]
            s += w3 * r1[c] + w4 * r1[c + 1] + w5 * r1[c + 2]
            s += w6 * r2[c] + w7 * r2[c + 1] + w8 * r2[c + 2]
            d[ow] = s
            ow += 1
        }
        // Border columns: some taps fall outside the image.
        for ow in 0..<interior.lowerBound { d[ow] = borderOutput(ow, r0, r1, r2, w: w, bias: bias, geometry: g) }
        for ow in interior.upperBound..<g.outW { d[ow] = borderOutput(ow, r0, r1, r2, w: w, bias: bias, geometry: g) }
    }

    @inline(__always)
    static func borderOutput(_ ow: Int, _ r0: UnsafePointer<Float>, _ r1: UnsafePointer<Float>, _ r2: UnsafePointer<Float>,
                             w: UnsafePointer<Float>, bias: Float, geometry g: ConvGeometry) -> Float {
        let sw = g.strideW, co = -g.padding.left
        do {
            var s = bias
            for j in 0..<3 {
                let c = ow * sw + co + j
                guard c >= 0, c < g.width else { continue }
                s += w[j] * r0[c] + w[3 + j] * r1[c] + w[6 + j] * r2[c]
            }
            return s
        }
    }
}

extension Depthwise3x3Kernel {
    /// Weight gradient [C*m, 1, 3, 3] (overwritten): per output channel, nine accumulators swept
    /// once over each output row (eight columns at a time at stride 1).
    static func weightGradient(x: UnsafePointer<Float>, gradOut: UnsafePointer<Float>,
                               gradWeight: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, multiplier m: Int) {
        let outChannels = g.channels * m
        let zeroRow = UnsafeMutablePointer<Float>.allocate(capacity: g.width)
        zeroRow.initialize(repeating: 0, count: g.width)
        defer { zeroRow.deallocate() }
        let left = g.validCols(0), right = g.validCols(2)
        let lo = max(left.lowerBound, right.lowerBound)
        let interior = lo..<max(lo, min(left.upperBound, right.upperBound))
        let border = Array(0..<interior.lowerBound) + Array(interior.upperBound..<g.outW)
        let px = UncheckedSendable(x), pg = UncheckedSendable(gradOut), pgw = UncheckedSendable(gradWeight)
        let pz = UncheckedSendable(UnsafePointer(zeroRow))
        Parallel.forRanges(outChannels, costPerItem: g.batch * g.planeOut * 9) { range in
            let vec = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: 9)
            let acc = UnsafeMutablePointer<Float>.allocate(capacity: 9)
            defer { vec.deallocate(); acc.deallocate() }
            for oc in range {
                let c = oc / m
                vec.initialize(repeating: SIMD8<Float>(), count: 9)
                acc.initialize(repeating: 0, count: 9)
                let sw = g.strideW, co = -g.padding.left
                for n in 0..<g.batch {
                    let xp = px.value + (n * g.channels + c) * g.planeIn
                    let gp = pg.value + (n * outChannels + oc) * g.planeOut
                    for oh in 0..<g.outH {
                        let top = oh * g.strideH - g.padding.top
                        let r0 = top >= 0 && top < g.height ? xp + top * g.width : pz.value
                        let r1 = top + 1 >= 0 && top + 1 < g.height ? xp + (top + 1) * g.width : pz.value
                        let r2 = top + 2 >= 0 && top + 2 < g.height ? xp + (top + 2) * g.width : pz.value
                        let rows = (r0, r1, r2)
                        let d = gp + oh * g.outW
                        var ow = interior.lowerBound
                        if sw == 1 {
                            let dr = UnsafeRawPointer(d)
                            while ow + 8 <= interior.upperBound {
                                let gv = dr.loadUnaligned(fromByteOffset: ow * 4, as: SIMD8<Float>.self)
                                for i in 0..<3 {
                                    let r = UnsafeRawPointer(i == 0 ? rows.0 : i == 1 ? rows.1 : rows.2), o = (ow + co) * 4
                                    vec[i * 3].multiplyAdd(gv, r.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self))
                                    vec[i * 3 + 1].multiplyAdd(gv, r.loadUnaligned(fromByteOffset: o + 4, as: SIMD8<Float>.self))
                                    vec[i * 3 + 2].multiplyAdd(gv, r.loadUnaligned(fromByteOffset: o + 8, as: SIMD8<Float>.self))
                                }
                                ow += 8
                            }
                        }
                        while ow < interior.upperBound {
                            let gv = d[ow], col = ow * sw + co
                            for i in 0..<3 {
                                let r = i == 0 ? rows.0 : i == 1 ? rows.1 : rows.2
                                acc[i * 3] += gv * r[col]
                                acc[i * 3 + 1] += gv * r[col + 1]
                                acc[i * 3 + 2] += gv * r[col + 2]
                            }
                            ow += 1
                        }
                        for ow in border {
                            let gv = d[ow]
                            for j in 0..<3 {
                                let col = ow * sw + co + j
                                guard col >= 0, col < g.width else { continue }
                                acc[j] += gv * rows.0[col]
                                acc[3 + j] += gv * rows.1[col]
                                acc[6 + j] += gv * rows.2[col]
                            }
                        }
                    }
                }
                for t in 0..<9 { pgw.value[oc * 9 + t] = acc[t] + vec[t].sum() }
            }
        }
    }
}
