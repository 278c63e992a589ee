/// Max and average pooling over NCHW planes, one plane per work item. Windows are clamped to the
/// image once per output row/column instead of testing every tap.
enum PoolKernels {
    /// Input rows (or columns) of window `o`, clamped to the image.
    @inline(__always)
    static func window(_ o: Int, stride: Int, before: Int, kernel: Int, size: Int) -> Range<Int> {
        let start = o * stride - before
        return Swift.max(start, 0)..<Swift.min(start + kernel, size)
    }

    /// Max over each window; `argmax` receives the winning index inside the input plane.
    static func maxForward(x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>,
                           geometry g: ConvGeometry) {
        let px = UncheckedSendable(x), po = UncheckedSendable(out), pa = UncheckedSendable(argmax)
        Parallel.forRanges(g.batch * g.channels, costPerItem: g.planeOut * g.taps) { range in
            for plane in range {
                let xp = px.value + plane * g.planeIn
                let op = po.value + plane * g.planeOut, ap = pa.value + plane * g.planeOut
                for oh in 0..<g.outH {
                    let rows = window(oh, stride: g.strideH, before: g.padding.top, kernel: g.kernelH, size: g.height)
                    for ow in 0..<g.outW {
                        let cols = window(ow, stride: g.strideW, before: g.padding.left, kernel: g.kernelW, size: g.width)
                        var best = -Float.infinity, at = rows.lowerBound * g.width + cols.lowerBound
                        for ih in rows {
                            for iw in cols {
                                let v = xp[ih * g.width + iw]
                                if v > best || v.isNaN { best = v; at = ih * g.width + iw; if v.isNaN { break } }
                            }
                        }
                        op[oh * g.outW + ow] = best
                        ap[oh * g.outW + ow] = Int32(at)
                    }
                }
            }
        }
    }

    /// Routes each output gradient to its window's maximum (the input gradient is overwritten).
    static func maxBackward(gradOut: UnsafePointer<Float>, argmax: UnsafePointer<Int32>,
                            gradInput: UnsafeMutablePointer<Float>, geometry g: ConvGeometry) {
        let pg = UncheckedSendable(gradOut), pa = UncheckedSendable(argmax), pgx = UncheckedSendable(gradInput)
        Parallel.forRanges(g.batch * g.channels, costPerItem: g.planeIn + g.planeOut) { range in
            for plane in range {
                let gx = pgx.value + plane * g.planeIn
                gx.update(repeating: 0, count: g.planeIn)
                let gp = pg.value + plane * g.planeOut, ap = pa.value + plane * g.planeOut
                for o in 0..<g.planeOut { gx[Int(ap[o])] += gp[o] }
            }
        }
    }

    /// Mean over each window, dividing by the full window size kh * kw (padding counts as zeros,
    /// PyTorch's default `count_include_pad=True`).
    static func avgForward(x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, geometry g: ConvGeometry) {
        let px = UncheckedSendable(x), po = UncheckedSendable(out)
        let scale = 1 / Float(g.taps)
        Parallel.forRanges(g.batch * g.channels, costPerItem: g.planeOut * g.taps) { range in
            for plane in range {
                let xp = px.value + plane * g.planeIn, op = po.value + plane * g.planeOut
                for oh in 0..<g.outH {
                    let rows = window(oh, stride: g.strideH, before: g.padding.top, kernel: g.kernelH, size: g.height)
                    for ow in 0..<g.outW {
                        let cols = window(ow, stride: g.strideW, before: g.padding.left, kernel: g.kernelW, size: g.width)
                        var s: Float = 0
                        for ih in rows { for iw in cols { s += xp[ih * g.width + iw] } }
                        op[oh * g.outW + ow] = s * scale
                    }
                }
            }
        }
    }

    /// Spreads each output gradient evenly over its window (the input gradient is overwritten).
    static func avgBackward(gradOut: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>, geometry g: ConvGeometry) {
        let pg = UncheckedSendable(gradOut), pgx = UncheckedSendable(gradInput)
        let scale = 1 / Float(g.taps)
        Parallel.forRanges(g.batch * g.channels, costPerItem: g.planeOut * g.taps) { range in
            for plane in range {
                let gx = pgx.value + plane * g.planeIn, gp = pg.value + plane * g.planeOut
                gx.update(repeating: 0, count: g.planeIn)
                for oh in 0..<g.outH {
                    let rows = window(oh, stride: g.strideH, before: g.padding.top, kernel: g.kernelH, size: g.height)
                    for ow in 0..<g.outW {
                        let cols = window(ow, stride: g.strideW, before: g.padding.left, kernel: g.kernelW, size: g.width)
                        let v = gp[oh * g.outW + ow] * scale
                        for ih in rows { for iw in cols { gx[ih * g.width + iw] += v } }
                    }
                }
            }
        }
    }

    /// Mean of each contiguous plane of `planeSize` values ([N*C] outputs).
    static func globalAvgForward(x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, planes: Int, planeSize: Int) {
        let px = UncheckedSendable(x), po = UncheckedSendable(out)
        let scale = 1 / Float(Swift.max(planeSize, 1))
        Parallel.forRanges(planes, costPerItem: planeSize) { range in
            for p in range { po.value[p] = Kernels.sum(px.value + p * planeSize, planeSize) * scale }
        }
    }

    /// Fills each plane with its output gradient divided by the plane size.
    static func globalAvgBackward(gradOut: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>,
                                  planes: Int, planeSize: Int) {
        let pg = UncheckedSendable(gradOut), pgx = UncheckedSendable(gradInput)
        let scale = 1 / Float(Swift.max(planeSize, 1))
        Parallel.forRanges(planes, costPerItem: planeSize) { range in
            for p in range { (pgx.value + p * planeSize).update(repeating: pg.value[p] * scale, count: planeSize) }
        }
    }
}
