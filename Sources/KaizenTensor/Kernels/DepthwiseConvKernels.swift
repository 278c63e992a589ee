/// Direct depthwise convolution (groups == input channels, `multiplier` output channels per input
/// channel). Each tap sweeps only the outputs whose input is inside the image (ranges from
/// `ConvGeometry`), so the inner loops have no bounds checks and, at stride 1, vectorise.
enum DepthwiseConvKernels {
    static func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        out: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, multiplier m: Int) {
        let outChannels = g.channels * m
        let px = UncheckedSendable(x), pw = UncheckedSendable(weight), po = UncheckedSendable(out)
        let pb = UncheckedSendable(bias)
        Parallel.forRanges(g.batch * outChannels, costPerItem: g.planeOut * g.taps) { range in
            for plane in range {
                let n = plane / outChannels, oc = plane % outChannels, c = oc / m
                let xp = px.value + (n * g.channels + c) * g.planeIn
                let wp = pw.value + oc * g.taps
                let op = po.value + plane * g.planeOut
                op.update(repeating: pb.value?[oc] ?? 0, count: g.planeOut)
                for oh in 0..<g.outH {
                    let d = op + oh * g.outW
                    for i in 0..<g.kernelH where g.validRows(i).contains(oh) {
                        let srow = xp + (oh * g.strideH + g.rowOffset(i)) * g.width
                        for j in 0..<g.kernelW {
                            let cols = g.validCols(j), s = srow + g.colOffset(j), w = wp[i * g.kernelW + j]
                            if g.strideW == 1 {
                                for ow in cols { d[ow] += w * s[ow] }
                            } else {
                                let sw = g.strideW
                                for ow in cols { d[ow] += w * s[ow * sw] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Input gradient (overwritten): each input plane gathers from its `multiplier` output planes.
    static func backwardInput(weight: UnsafePointer<Float>, gradOut: UnsafePointer<Float>,
                              gradInput: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, multiplier m: Int) {
        let outChannels = g.channels * m
        let pw = UncheckedSendable(weight), pg = UncheckedSendable(gradOut), pgx = UncheckedSendable(gradInput)
        Parallel.forRanges(g.batch * g.channels, costPerItem: g.planeOut * g.taps * m) { range in
            for plane in range {
                let n = plane / g.channels, c = plane % g.channels
                let gx = pgx.value + plane * g.planeIn
                gx.update(repeating: 0, count: g.planeIn)
                for mm in 0..<m {
                    let oc = c * m + mm
                    let gp = pg.value + (n * outChannels + oc) * g.planeOut
                    let wp = pw.value + oc * g.taps
                    for oh in 0..<g.outH {
                        let s = gp + oh * g.outW
                        for i in 0..<g.kernelH where g.validRows(i).contains(oh) {
                            let drow = gx + (oh * g.strideH + g.rowOffset(i)) * g.width
                            for j in 0..<g.kernelW {
                                let cols = g.validCols(j), d = drow + g.colOffset(j), w = wp[i * g.kernelW + j]
                                if g.strideW == 1 {
                                    for ow in cols { d[ow] += w * s[ow] }
                                } else {
                                    let sw = g.strideW
                                    for ow in cols { d[ow * sw] += w * s[ow] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Weight gradient [C*m, 1, kh, kw] (overwritten): per output channel, over the whole batch.
    static func backwardWeight(x: UnsafePointer<Float>, gradOut: UnsafePointer<Float>,
                               gradWeight: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, multiplier m: Int) {
        let outChannels = g.channels * m
        let px = UncheckedSendable(x), pg = UncheckedSendable(gradOut), pgw = UncheckedSendable(gradWeight)
        Parallel.forRanges(outChannels, costPerItem: g.batch * g.planeOut * g.taps) { range in
            for oc in range {
                let c = oc / m
                let acc = pgw.value + oc * g.taps
                acc.update(repeating: 0, count: g.taps)
                for n in 0..<g.batch {
                    let xp = px.value + (n * g.channels + c) * g.planeIn
                    let gp = pg.value + (n * outChannels + oc) * g.planeOut
                    for i in 0..<g.kernelH {
                        let rows = g.validRows(i), ro = g.rowOffset(i)
                        for j in 0..<g.kernelW {
                            let cols = g.validCols(j), co = g.colOffset(j)
                            var total: Float = 0
                            for oh in rows {
                                let gr = gp + oh * g.outW
                                let xr = xp + (oh * g.strideH + ro) * g.width + co
                                if g.strideW == 1 {
                                    total += Kernels.dot(gr + cols.lowerBound, xr + cols.lowerBound, cols.count)
                                } else {
                                    let sw = g.strideW
                                    var s: Float = 0
                                    for ow in cols { s += gr[ow] * xr[ow * sw] }
                                    total += s
                                }
                            }
                            acc[i * g.kernelW + j] += total
                        }
                    }
                }
            }
        }
    }
}
