/// Depthwise convolution for any kernel, stride and dilation on "phase planes": each input plane
/// is zero-padded and split into strideH x strideW phases (phase (a, b) holds the padded pixels
/// (R * strideH + a, Q * strideW + b)), so every tap reads a contiguous run of one phase. With the
/// output laid out at the phase row pitch (index = oh * pitch + ow), a whole plane is ONE flat
/// SIMD loop per tap with no border cases: columns ow >= outW are computed and dropped (forward) or
/// held at zero (gradients). That suits the small planes of late layers (4x4 .. 28x28) and 5x5
/// kernels, where per-row loops with border handling cost more than the arithmetic.
struct DepthwisePhaseLayout {
    let geometry: ConvGeometry
    /// Rows and row pitch of one phase plane.
    let phaseRows: Int, pitch: Int
    /// Floats per phase plane, including a zero tail that over-reads of the flat loops land in.
    let phaseSize: Int
    /// Flat output length (outH * pitch rounded up to a multiple of 8).
    let flatCount: Int
    /// Per tap: the offset of its first read in the phase buffer.
    let tapOffsets: [Int]

    init(_ g: ConvGeometry) {
        geometry = g
        let paddedH = g.height + g.padding.top + g.padding.bottom
        let paddedW = g.width + g.padding.left + g.padding.right
        phaseRows = (paddedH + g.strideH - 1) / g.strideH
        pitch = (paddedW + g.strideW - 1) / g.strideW
        phaseSize = phaseRows * pitch + pitch + 8
        flatCount = (g.outH * pitch + 7) / 8 * 8
        var offsets: [Int] = []
        for i in 0..<g.kernelH {
            for j in 0..<g.kernelW {
                let r = i * g.dilationH, c = j * g.dilationW
                let phase = (r % g.strideH) * g.strideW + c % g.strideW
                offsets.append(phase * phaseSize + (r / g.strideH) * pitch + c / g.strideW)
            }
        }
        tapOffsets = offsets
    }

    var phaseCount: Int { geometry.strideH * geometry.strideW }
    var bufferSize: Int { phaseCount * phaseSize }

    /// Writes the padded, phase-split copy of one input plane (the zero tails must be zero already).
    func split(_ plane: UnsafePointer<Float>, into phases: UnsafeMutablePointer<Float>) {
        let g = geometry
        for a in 0..<g.strideH {
            for b in 0..<g.strideW {
                let dst = phases + (a * g.strideW + b) * phaseSize
                // Columns Q with 0 <= Q * strideW + b - left < width.
                let cols = ConvGeometry.validRange(offset: b - g.padding.left, stride: g.strideW, size: g.width, outSize: pitch)
                let c0 = cols.lowerBound * g.strideW + b - g.padding.left
                for rq in 0..<phaseRows {
                    let d = dst + rq * pitch
                    let r = rq * g.strideH + a - g.padding.top
                    guard r >= 0, r < g.height, !cols.isEmpty else { d.update(repeating: 0, count: pitch); continue }
                    d.update(repeating: 0, count: cols.lowerBound)
                    (d + cols.upperBound).update(repeating: 0, count: pitch - cols.upperBound)
                    let s = plane + r * g.width + c0
                    if g.strideW == 1 {
                        (d + cols.lowerBound).update(from: s, count: cols.count)
                    } else {
                        let sw = g.strideW
                        for q in 0..<cols.count { d[cols.lowerBound + q] = s[q * sw] }
                    }
                }
            }
        }
    }

    /// Adds the phase-split gradient back into the (unpadded) input plane gradient, overwriting it.
    func merge(_ phases: UnsafePointer<Float>, into plane: UnsafeMutablePointer<Float>) {
        let g = geometry
        for r in 0..<g.height {
            let pr = r + g.padding.top, a = pr % g.strideH, rq = pr / g.strideH
            let d = plane + r * g.width
            if g.strideW == 1 {
                d.update(from: phases + a * phaseSize + rq * pitch + g.padding.left, count: g.width)
            } else {
                let sw = g.strideW
                for c in 0..<g.width {
                    let pc = c + g.padding.left
                    d[c] = phases[(a * sw + pc % sw) * phaseSize + rq * pitch + pc / sw]
                }
            }
        }
    }

    /// Copies an output-gradient plane [outH, outW] to the flat layout, zeros in the dropped columns.
    func spread(_ plane: UnsafePointer<Float>, into flat: UnsafeMutablePointer<Float>) {
        let g = geometry
        for oh in 0..<g.outH {
            let d = flat + oh * pitch
            d.update(from: plane + oh * g.outW, count: g.outW)
            (d + g.outW).update(repeating: 0, count: pitch - g.outW)
        }
        let used = g.outH * pitch
        (flat + used).update(repeating: 0, count: flatCount - used)
    }
}

enum DepthwisePhaseKernels {
    static func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        out: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, multiplier m: Int) {
        let layout = DepthwisePhaseLayout(g)
        let outChannels = g.channels * m
        let px = UncheckedSendable(x), pw = UncheckedSendable(weight), po = UncheckedSendable(out)
        let pb = UncheckedSendable(bias)
        Parallel.forRanges(g.batch * g.channels, costPerItem: layout.flatCount * g.taps * m) { range in
            let phases = UnsafeMutablePointer<Float>.allocate(capacity: layout.bufferSize)
            let flat = UnsafeMutablePointer<Float>.allocate(capacity: layout.flatCount)
            let offsets = UnsafeMutablePointer<Int>.allocate(capacity: g.taps)
            defer { phases.deallocate(); flat.deallocate(); offsets.deallocate() }
            phases.initialize(repeating: 0, count: layout.bufferSize)
            for t in 0..<g.taps { offsets[t] = layout.tapOffsets[t] }
            for plane in range {
                let n = plane / g.channels, c = plane % g.channels
                layout.split(px.value + plane * g.planeIn, into: phases)
                for mm in 0..<m {
                    let oc = c * m + mm
                    correlate(phases, offsets: offsets, weights: pw.value + oc * g.taps, taps: g.taps,
                              bias: pb.value?[oc] ?? 0, count: layout.flatCount, out: flat)
                    let op = po.value + (n * outChannels + oc) * g.planeOut
                    for oh in 0..<g.outH { (op + oh * g.outW).update(from: flat + oh * layout.pitch, count: g.outW) }
                }
            }
        }
    }

    /// out[idx] = bias + sum_t w[t] * src[offsets[t] + idx] for idx < count (a multiple of 8).
    @inline(__always)
    static func correlate(_ src: UnsafePointer<Float>, offsets: UnsafePointer<Int>, weights: UnsafePointer<Float>,
                          taps: Int, bias: Float, count: Int, out: UnsafeMutablePointer<Float>) {
        let s = UnsafeRawPointer(src), d = UnsafeMutableRawPointer(out)
        var idx = 0
        while idx + 32 <= count {
            var a0 = SIMD8<Float>(repeating: bias), a1 = a0, a2 = a0, a3 = a0
            for t in 0..<taps {
                let w = SIMD8<Float>(repeating: weights[t]), o = (offsets[t] + idx) * 4
                a0.multiplyAdd(w, s.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self))
                a1.multiplyAdd(w, s.loadUnaligned(fromByteOffset: o + 32, as: SIMD8<Float>.self))
                a2.multiplyAdd(w, s.loadUnaligned(fromByteOffset: o + 64, as: SIMD8<Float>.self))
                a3.multiplyAdd(w, s.loadUnaligned(fromByteOffset: o + 96, as: SIMD8<Float>.self))
            }
            d.storeBytes(of: a0, toByteOffset: idx * 4, as: SIMD8<Float>.self)
            d.storeBytes(of: a1, toByteOffset: idx * 4 + 32, as: SIMD8<Float>.self)
            d.storeBytes(of: a2, toByteOffset: idx * 4 + 64, as: SIMD8<Float>.self)
            d.storeBytes(of: a3, toByteOffset: idx * 4 + 96, as: SIMD8<Float>.self)
            idx += 32
        }
        while idx < count {
            var a0 = SIMD8<Float>(repeating: bias)
            for t in 0..<taps {
                a0.multiplyAdd(SIMD8<Float>(repeating: weights[t]), s.loadUnaligned(fromByteOffset: (offsets[t] + idx) * 4, as: SIMD8<Float>.self))
            }
            d.storeBytes(of: a0, toByteOffset: idx * 4, as: SIMD8<Float>.self)
            idx += 8
        }
    }

    /// Input gradient (overwritten): each output gradient plane is scattered tap by tap into the
    /// phase-split input gradient (contiguous axpys), which is then merged back.
    static func inputGradient(weight: UnsafePointer<Float>, gradOut: UnsafePointer<Float>,
                              gradInput: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, multiplier m: Int) {
        let layout = DepthwisePhaseLayout(g)
        let outChannels = g.channels * m
        let pw = UncheckedSendable(weight), pg = UncheckedSendable(gradOut), pgx = UncheckedSendable(gradInput)
        Parallel.forRanges(g.batch * g.channels, costPerItem: layout.flatCount * g.taps * m) { range in
            let phases = UnsafeMutablePointer<Float>.allocate(capacity: layout.bufferSize)
            let flat = UnsafeMutablePointer<Float>.allocate(capacity: layout.flatCount)
            defer { phases.deallocate(); flat.deallocate() }
            for plane in range {
                let n = plane / g.channels, c = plane % g.channels
                phases.update(repeating: 0, count: layout.bufferSize)
                for mm in 0..<m {
                    let oc = c * m + mm
                    layout.spread(pg.value + (n * outChannels + oc) * g.planeOut, into: flat)
                    let w = pw.value + oc * g.taps
                    let src = UnsafeRawPointer(flat)
                    for t in 0..<g.taps {
                        let wv = SIMD8<Float>(repeating: w[t])
                        let d = UnsafeMutableRawPointer(phases + layout.tapOffsets[t])
                        var idx = 0
                        while idx < layout.flatCount {
                            let o = idx * 4
                            let v = d.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                                + wv * src.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                            d.storeBytes(of: v, toByteOffset: o, as: SIMD8<Float>.self)
                            idx += 8
                        }
                    }
                }
                layout.merge(phases, into: pgx.value + plane * g.planeIn)
            }
        }
    }

    /// Weight gradient [C*m, 1, kh, kw] (overwritten): per tap, a dot product of the flat output
    /// gradient with the tap's run of the phase-split input, summed over the batch.
    static func weightGradient(x: UnsafePointer<Float>, gradOut: UnsafePointer<Float>,
                               gradWeight: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, multiplier m: Int) {
        let layout = DepthwisePhaseLayout(g)
        let outChannels = g.channels * m
        let px = UncheckedSendable(x), pg = UncheckedSendable(gradOut), pgw = UncheckedSendable(gradWeight)
        Parallel.forRanges(g.channels, costPerItem: g.batch * layout.flatCount * g.taps * m) { range in
            let phases = UnsafeMutablePointer<Float>.allocate(capacity: layout.bufferSize)
            let flat = UnsafeMutablePointer<Float>.allocate(capacity: layout.flatCount)
            defer { phases.deallocate(); flat.deallocate() }
            phases.initialize(repeating: 0, count: layout.bufferSize)
            for c in range {
                let acc = pgw.value + c * m * g.taps
                acc.update(repeating: 0, count: m * g.taps)
                for n in 0..<g.batch {
                    layout.split(px.value + (n * g.channels + c) * g.planeIn, into: phases)
                    for mm in 0..<m {
                        let oc = c * m + mm
                        layout.spread(pg.value + (n * outChannels + oc) * g.planeOut, into: flat)
                        for t in 0..<g.taps {
                            acc[mm * g.taps + t] += Kernels.dot(flat, phases + layout.tapOffsets[t], layout.flatCount)
                        }
                    }
                }
            }
        }
    }
}
