extension Functional {
    /// Layer normalisation over the last dimension with optional affine weight and bias
    /// (PyTorch semantics: biased variance, eps inside the square root). Fused forward and backward.
    public static func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float) throws -> Tensor {
        guard x.rank >= 1 else { throw KaizenError.shapeMismatch(op: "layerNorm", detail: "input must have at least one dimension") }
        let d = x.shape[x.rank - 1], rows = x.count / Swift.max(d, 1)
        for (name, p) in [("weight", weight), ("bias", bias)] {
            if let p, p.shape != [d] {
                throw KaizenError.shapeMismatch(op: "layerNorm", detail: "\(name) \(Shape.describe(p.shape)) for last dimension \(d)")
            }
        }
        let xc = x.contiguousValues()
        let wv = weight?.contiguousValues(), bv = bias?.contiguousValues()
        let out = Tensor(uninitializedShape: x.shape)
        let xhat = Tensor(uninitializedShape: x.shape)
        var invStd = [Float](repeating: 0, count: rows)
        let px = xc.basePointer, po = out.basePointer, ph = xhat.basePointer
        let pw = wv?.basePointer, pb = bv?.basePointer
        invStd.withUnsafeMutableBufferPointer { inv in
            let invBox = UncheckedSendable(inv)
            Parallel.forRanges(rows, costPerItem: d * 4) { range in
                for r in range {
                    let xr = px + r * d, hr = ph + r * d, or = po + r * d
                    let mean = Kernels.sum(xr, d) / Float(d)
                    var v: Float = 0
                    for j in 0..<d { let c = xr[j] - mean; hr[j] = c; v += c * c }
                    let s = 1 / (v / Float(d) + eps).squareRoot()
                    invBox.value[r] = s
                    for j in 0..<d {
                        hr[j] *= s
                        or[j] = hr[j] * (pw?[j] ?? 1) + (pb?[j] ?? 0)
                    }
                }
            }
        }
        var inputs = [x]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let hasWeight = weight != nil, hasBias = bias != nil
        return Autograd.record("layerNorm", output: out, inputs: inputs) { g, needs in
            // Pointers come from the captured tensors so their storage outlives the forward pass.
            let gc = g.contiguousValues()
            let pg = gc.basePointer, ph = xhat.basePointer, pw = wv?.basePointer
            var gx: Tensor? = nil
            if needs[0] {
                let gxt = Tensor(uninitializedShape: xhat.shape)
                let pgx = gxt.basePointer
                Parallel.forRanges(rows, costPerItem: d * 4) { range in
                    for r in range {
                        let gr = pg + r * d, hr = ph + r * d, o = pgx + r * d
                        // dx = invStd * (gh - mean(gh) - xhat * mean(gh * xhat)), gh = g * w
                        var sumG: Float = 0, sumGH: Float = 0
                        for j in 0..<d {
                            let gh = gr[j] * (pw?[j] ?? 1)
                            sumG += gh
                            sumGH += gh * hr[j]
                        }
                        let mg = sumG / Float(d), mgh = sumGH / Float(d), s = invStd[r]
                        for j in 0..<d { o[j] = s * (gr[j] * (pw?[j] ?? 1) - mg - hr[j] * mgh) }
                    }
                }
                gx = gxt
            }
            var gw: Tensor? = nil, gb: Tensor? = nil
            if hasWeight || hasBias {
                let gwt = Tensor.zeros([d]), gbt = Tensor.zeros([d])
                for r in 0..<rows {
                    let gr = pg + r * d, hr = ph + r * d
                    for j in 0..<d { gwt.basePointer[j] += gr[j] * hr[j]; gbt.basePointer[j] += gr[j] }
                }
                gw = gwt
                gb = gbt
            }
            var result: [Tensor?] = [gx]
            if hasWeight { result.append(gw) }
            if hasBias { result.append(gb) }
            return result
        }
    }

    /// Inverted dropout in training mode: zeroes each value with probability p and scales the rest
    /// by 1/(1-p). Identity when p == 0. The mask comes from `rng`, so runs are reproducible.
    public static func dropout(_ x: Tensor, p: Float, rng: inout RandomGenerator) throws -> Tensor {
        guard p >= 0 && p < 1 else { throw KaizenError.invalidArgument(name: "p", detail: "dropout probability must lie in [0, 1), got \(p)") }
        if p == 0 { return x }
        let mask = Tensor(uninitializedShape: x.shape)
        let scale = 1 / (1 - p)
        for i in 0..<mask.count { mask.basePointer[i] = rng.nextFloat() < p ? 0 : scale }
        return try x * mask
    }
}
