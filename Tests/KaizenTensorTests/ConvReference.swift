@testable import KaizenTensor

/// Naive loops that define what the fast kernels must compute (test oracle, no cleverness).
enum ConvReference {
    static func conv2d(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride: (Int, Int), padding: Padding2D,
                       dilation: (Int, Int), groups: Int) -> [Float] {
        let xs = x.scalars, ws = w.scalars, bs = b?.scalars
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, cg, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
        let oh = (h + padding.top + padding.bottom - (kh - 1) * dilation.0 - 1) / stride.0 + 1
        let ow = (wd + padding.left + padding.right - (kw - 1) * dilation.1 - 1) / stride.1 + 1
        let og = o / groups
        var out = [Float](repeating: 0, count: n * o * oh * ow)
        for b0 in 0..<n { for oc in 0..<o { for y in 0..<oh { for xx in 0..<ow {
            var s = bs?[oc] ?? 0
            let grp = oc / og
            for ci in 0..<cg { for i in 0..<kh { for j in 0..<kw {
                let iy = y * stride.0 + i * dilation.0 - padding.top
                let ix = xx * stride.1 + j * dilation.1 - padding.left
                guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
                let cin = grp * cg + ci
                s += xs[((b0 * c + cin) * h + iy) * wd + ix] * ws[((oc * cg + ci) * kh + i) * kw + j]
            } } }
            out[((b0 * o + oc) * oh + y) * ow + xx] = s
        } } } }
        return out
    }

    static func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count)
        var m: Float = 0
        for i in 0..<a.count { m = max(m, abs(a[i] - b[i])) }
        return m
    }
}
