import KaizenTensor

/// FTP's state for one constrained parameter tensor (Tian et al., NeurIPS 2023): the frozen anchor
/// W0, the radius gamma with its Adam moments, and the deviation and inverse row norms of the
/// previous step, which the delayed radius gradient needs. Tensors are owned by the optimiser and
/// updated in place; copy one before keeping it.
public struct FTPParameterState {
    /// The pre-trained values W0 the parameter is constrained around.
    public var anchor: Tensor
    /// The MARS radius gamma (one scalar per tensor).
    public var radius: Float
    /// First Adam moment of the radius.
    public var radiusMean: Float = 0
    /// Second Adam moment of the radius.
    public var radiusSquaredMean: Float = 0
    /// c_{t-1} = unprojected candidate - W0 at the previous step (nil before the first step).
    public var previousDeviation: Tensor?
    /// 1 / n_{t-1} per row at the previous step (nil before the first step).
    public var previousInverseNorms: [Float]?

    public init(anchor: Tensor, radius: Float) {
        self.anchor = anchor
        self.radius = radius
    }
}

/// The two fused passes of one FTP update over raw buffers.
enum FTPKernels {
    /// Pass 1, per row i: dot_i = <g_i, cPrev_i> (when `gradient` and `deviation` hold the previous
    /// deviation), then overwrites `deviation` with c = (p - d) - W0 and returns n_i = ||c_i||_1 + 1e-8.
    static func deviationPass(value: UnsafePointer<Float>, displacement: UnsafePointer<Float>, anchor: UnsafePointer<Float>,
                              gradient: UnsafePointer<Float>?, deviation: UnsafeMutablePointer<Float>, layout: RowLayout,
                              norms: UnsafeMutablePointer<Float>, dots: UnsafeMutablePointer<Double>) {
        let len = layout.rowLength
        Parallel.forRanges(layout.rows, costPerItem: Swift.max(len, 1) * 6) { r in
            for i in r {
                let o = i * len
                var n0 = 0.0, n1 = 0.0
                var d0 = 0.0, d1 = 0.0
                if let gradient {
                    var j = 0
                    while j + 2 <= len {
                        let a = o + j, b = a + 1
                        d0 += Double(gradient[a] * deviation[a]); d1 += Double(gradient[b] * deviation[b])
                        let ca = (value[a] - displacement[a]) - anchor[a], cb = (value[b] - displacement[b]) - anchor[b]
                        deviation[a] = ca; deviation[b] = cb
                        n0 += Double(Swift.abs(ca)); n1 += Double(Swift.abs(cb))
                        j += 2
                    }
                    if j < len {
                        let a = o + j
                        d0 += Double(gradient[a] * deviation[a])
                        let ca = (value[a] - displacement[a]) - anchor[a]
                        deviation[a] = ca
                        n0 += Double(Swift.abs(ca))
                    }
                } else {
                    for a in o..<(o + len) {
                        let c = (value[a] - displacement[a]) - anchor[a]
                        deviation[a] = c
                        n0 += Double(Swift.abs(c))
                    }
                }
                norms[i] = Float(n0 + n1) + 1e-8
                dots[i] = d0 + d1
            }
        }
    }

    /// Pass 2, per row i: out = W0 + clamp(gamma / n_i, 0, 1) * c, and inverseNorms[i] = 1 / n_i.
    static func projectionPass(anchor: UnsafePointer<Float>, deviation: UnsafePointer<Float>, radius: Float,
                               norms: UnsafePointer<Float>, layout: RowLayout, out: UnsafeMutablePointer<Float>,
                               inverseNorms: UnsafeMutablePointer<Float>) {
        let len = layout.rowLength
        Parallel.forRanges(layout.rows, costPerItem: Swift.max(len, 1) * 3) { r in
            for i in r {
                let n = norms[i]
                let s = Swift.min(Swift.max(radius / n, 0), 1)
                inverseNorms[i] = 1 / n
                let o = i * len
                for a in o..<(o + len) { out[a] = anchor[a] + s * deviation[a] }
            }
        }
    }
}
