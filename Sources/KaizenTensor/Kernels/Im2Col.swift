/// Lowering of a convolution to a matrix product: `im2col` unfolds the windows of one image into
/// a [channels * kh * kw, outH * outW] matrix; `col2im` folds such a matrix back, adding overlaps
/// (the adjoint, used for the input gradient).
enum Im2Col {
    /// Unfolds channels `channelRange` of the image at `image` ([C, H, W]) into `columns`.
    static func unfold(_ image: UnsafePointer<Float>, channelRange: Range<Int>, geometry g: ConvGeometry,
                       into columns: UnsafeMutablePointer<Float>) {
        let rows = channelRange.count * g.taps, p = g.planeOut
        let src = UncheckedSendable(image), dst = UncheckedSendable(columns)
        Parallel.forRanges(rows, costPerItem: p) { range in
            for r in range {
                unfoldRow(r, image: src.value, channelRange: channelRange, geometry: g, outputRows: 0..<g.outH,
                          into: dst.value + r * p)
            }
        }
    }

    /// Unfolds the windows of output rows `outputRows` only (a band), on the calling thread: column
    /// row r (channel-major, then taps) goes to `columns + r * rowStride`, band pixels contiguous.
    static func unfoldBand(_ image: UnsafePointer<Float>, geometry g: ConvGeometry, outputRows: Range<Int>,
                           into columns: UnsafeMutablePointer<Float>, rowStride: Int) {
        for r in 0..<(g.channels * g.taps) {
            unfoldRow(r, image: image, channelRange: 0..<g.channels, geometry: g, outputRows: outputRows,
                      into: columns + r * rowStride)
        }
    }

    /// Column row `r` for output rows `outputRows`, written from `row` on.
    @inline(__always)
    private static func unfoldRow(_ r: Int, image: UnsafePointer<Float>, channelRange: Range<Int>, geometry g: ConvGeometry,
                                  outputRows: Range<Int>, into row: UnsafeMutablePointer<Float>) {
        let c = channelRange.lowerBound + r / g.taps, t = r % g.taps
        let i = t / g.kernelW, j = t % g.kernelW
        let plane = image + c * g.planeIn
        let all = g.validRows(i), colsOK = g.validCols(j)
        let rowsOK = max(all.lowerBound, outputRows.lowerBound)..<max(min(all.upperBound, outputRows.upperBound),
                                                                    max(all.lowerBound, outputRows.lowerBound))
        let ro = g.rowOffset(i), co = g.colOffset(j)
        let first = outputRows.lowerBound
        row.update(repeating: 0, count: (rowsOK.lowerBound - first) * g.outW)
        let tail = (rowsOK.upperBound - first) * g.outW
        (row + tail).update(repeating: 0, count: outputRows.count * g.outW - tail)
        for oh in rowsOK {
            let d = row + (oh - first) * g.outW
            let s = plane + (oh * g.strideH + ro) * g.width + co
            d.update(repeating: 0, count: colsOK.lowerBound)
            (d + colsOK.upperBound).update(repeating: 0, count: g.outW - colsOK.upperBound)
            if g.strideW == 1 {
                (d + colsOK.lowerBound).update(from: s + colsOK.lowerBound, count: colsOK.count)
            } else if g.strideW == 2 {
                evenColumns(s, from: colsOK, inputEnd: g.width - co, into: d)
            } else {
                let sw = g.strideW
                for ow in colsOK { d[ow] = s[ow * sw] }
            }
        }
    }

    /// `d[ow] = s[2 * ow]` for `ow` in `range`, eight at a time (two vector loads and one shuffle
    /// instead of eight scalar copies) while the sixteen floats read stay before `inputEnd`.
    @inline(__always)
    static func evenColumns(_ s: UnsafePointer<Float>, from range: Range<Int>, inputEnd: Int,
                            into d: UnsafeMutablePointer<Float>) {
        var ow = range.lowerBound
        let src = UnsafeRawPointer(s), dst = UnsafeMutableRawPointer(d)
        while ow + 8 <= range.upperBound && 2 * ow + 16 <= inputEnd {
            let pair = src.loadUnaligned(fromByteOffset: 8 * ow, as: SIMD16<Float>.self)
            dst.storeBytes(of: pair.evenHalf, toByteOffset: 4 * ow, as: SIMD8<Float>.self)
            ow += 8
        }
        while ow < range.upperBound { d[ow] = s[2 * ow]; ow += 1 }
    }

    /// Folds `columns` back into channels `channelRange` of the image gradient at `image`, which
    /// must hold zeros (or a gradient to add to) on entry.
    static func fold(_ columns: UnsafePointer<Float>, channelRange: Range<Int>, geometry g: ConvGeometry,
                     into image: UnsafeMutablePointer<Float>) {
        let p = g.planeOut
        let src = UncheckedSendable(columns), dst = UncheckedSendable(image)
        // One channel owns its kh*kw rows, so channels can run in parallel without races.
        Parallel.forRanges(channelRange.count, costPerItem: g.taps * p) { range in
            for cl in range {
                let c = channelRange.lowerBound + cl
                let plane = dst.value + c * g.planeIn
                for t in 0..<g.taps {
                    let i = t / g.kernelW, j = t % g.kernelW
                    let row = src.value + (cl * g.taps + t) * p
                    let rowsOK = g.validRows(i), colsOK = g.validCols(j)
                    let ro = g.rowOffset(i), co = g.colOffset(j)
                    for oh in rowsOK {
                        let s = row + oh * g.outW
                        let d = plane + (oh * g.strideH + ro) * g.width + co
                        if g.strideW == 1 {
                            for ow in colsOK { d[ow] += s[ow] }
                        } else {
                            let sw = g.strideW
                            for ow in colsOK { d[ow * sw] += s[ow] }
                        }
                    }
                }
            }
        }
    }
}
