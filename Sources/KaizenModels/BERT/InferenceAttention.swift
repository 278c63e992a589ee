import Foundation

/// Multi-head self-attention for inference (no autograd): reads Q, K and V straight from the packed
/// [B, T, 3H] projection (heads are column blocks, so no split/merge copies), adds the key padding
/// mask as a bias, and writes the context in the merged [B, T, H] layout. Same semantics as
/// `Functional.scaledDotProductAttention` (a query whose keys are all padded attends uniformly).
enum InferenceAttention {
    static func context(packed qkv: Tensor, heads: Int, mask: [[Bool]]) -> Tensor {
        let packed = qkv.contiguousValues()
        let b = packed.shape[0], t = packed.shape[1], hidden = packed.shape[2] / 3, dh = hidden / heads
        let rowStride = 3 * hidden
        var bias = [Float](repeating: 0, count: b * t)
        for i in 0..<b {
            let allMasked = !mask[i].contains(true)
            for j in 0..<t where !mask[i][j] && !allMasked { bias[i * t + j] = -.infinity }
        }
        let out = Tensor(uninitializedShape: [b, t, hidden])
        let pq = UncheckedSendable(packed.basePointer), pk = UncheckedSendable(packed.basePointer + hidden)
        let pv = UncheckedSendable(packed.basePointer + 2 * hidden), po = UncheckedSendable(out.basePointer)
        let scale = 1 / Float(dh).squareRoot()
        bias.withUnsafeBufferPointer { biasBuffer in
            let pb = UncheckedSendable(biasBuffer)
            Parallel.forRanges(b * heads, costPerItem: t * t * dh * 4) { range in
                var scores = [Float](repeating: 0, count: t)
                for item in range {
                    let i = item / heads, h = item % heads
                    let base = i * t * rowStride + h * dh, outBase = i * t * hidden + h * dh
                    for r in 0..<t {
                        let qr = pq.value + base + r * rowStride
                        var m = -Float.infinity
                        for c in 0..<t {
                            let s = Kernels.dot(qr, pk.value + base + c * rowStride, dh) * scale + pb.value[i * t + c]
                            scores[c] = s
                            m = Swift.max(m, s)
                        }
                        var total: Float = 0
                        for c in 0..<t { let e = Foundation.expf(scores[c] - m); scores[c] = e; total += e }
                        let inv = 1 / total
                        let o = po.value + outBase + r * hidden
                        for d in 0..<dh { o[d] = 0 }
                        for c in 0..<t {
                            let w = scores[c] * inv
                            if w == 0 { continue }
                            let vr = pv.value + base + c * rowStride
                            for d in 0..<dh { o[d] += w * vr[d] }
                        }
                    }
                }
            }
        }
        return out
    }
}
