/// Batch normalisation over the channels of NCHW tensors, with PyTorch semantics.
extension Functional {
    /// Training: normalises with the batch mean and biased variance and updates `runningMean` and
    /// `runningVar` in place (new = (1 - momentum) * old + momentum * batch, with the unbiased
    /// variance). Evaluation: a per-channel affine map from the running statistics.
    /// `weight` and `bias` ([C], optional) scale and shift the normalised values.
    public static func batchNorm2d(_ x: Tensor, runningMean: Tensor, runningVar: Tensor, weight: Tensor?, bias: Tensor?,
                                   training: Bool, momentum: Float = 0.1, eps: Float = 1e-5) throws -> Tensor {
        let op = "batchNorm2d"
        guard x.rank == 4 else {
            throw KaizenError.shapeMismatch(op: op, detail: "input must be [N, C, H, W], got \(Shape.describe(x.shape))")
        }
        let (batch, channels, plane) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        for (name, t) in [("runningMean", runningMean), ("runningVar", runningVar), ("weight", weight), ("bias", bias)] {
            if let t, t.shape != [channels] {
                throw KaizenError.shapeMismatch(op: op, detail: "\(name) must be [\(channels)] for input \(Shape.describe(x.shape)), got \(Shape.describe(t.shape))")
            }
        }
        guard runningMean.isContiguous, runningVar.isContiguous else {
            throw KaizenError.invalidArgument(name: "runningMean/runningVar", detail: "\(op): running statistics must be contiguous (they are updated in place)")
        }
        let count = batch * plane
        if training && count <= 1 {
            throw KaizenError.invalidArgument(name: "input", detail: "\(op): training needs more than one value per channel, input is \(Shape.describe(x.shape))")
        }
        let xc = x.contiguousValues()
        let w = weight?.contiguousValues().scalars ?? [Float](repeating: 1, count: channels)
        let b = bias?.contiguousValues().scalars ?? [Float](repeating: 0, count: channels)
        var mean = [Float](repeating: 0, count: channels), variance = [Float](repeating: 0, count: channels)
        if training {
            BatchNormKernels.statistics(x: xc.basePointer, batch: batch, channels: channels, plane: plane,
                                        mean: &mean, variance: &variance)
            let rm = runningMean.basePointer, rv = runningVar.basePointer
            let unbiased = Float(count) / Float(count - 1)
            for c in 0..<channels {
                rm[c] = (1 - momentum) * rm[c] + momentum * mean[c]
                rv[c] = (1 - momentum) * rv[c] + momentum * variance[c] * unbiased
            }
        } else {
            mean = runningMean.scalars
            variance = runningVar.scalars
        }
        let invStd = variance.map { 1 / ($0 + eps).squareRoot() }
        let scale = (0..<channels).map { w[$0] * invStd[$0] }
        let shift = (0..<channels).map { b[$0] - mean[$0] * scale[$0] }
        let out = Tensor(uninitializedShape: x.shape)
        BatchNormKernels.channelAffine(x: xc.basePointer, scale: scale, shift: shift, out: out.basePointer,
                                       batch: batch, channels: channels, plane: plane)

        var inputs = [x]
        let weightIndex = weight.map { inputs.append($0); return inputs.count - 1 }
        let biasIndex = bias.map { inputs.append($0); return inputs.count - 1 }
        return Autograd.record(op, output: out, inputs: inputs) { gradOut, needs in
            let g = gradOut.contiguousValues()
            var sumG = [Double](repeating: 0, count: channels), sumGX = [Double](repeating: 0, count: channels)
            BatchNormKernels.gradientSums(gradOut: g.basePointer, x: xc.basePointer, batch: batch, channels: channels,
                                          plane: plane, sumG: &sumG, sumGX: &sumGX)
            // sum(g * (x - mean)) per channel
            let centred = (0..<channels).map { sumGX[$0] - Double(mean[$0]) * sumG[$0] }
            var grads = [Tensor?](repeating: nil, count: inputs.count)
            if needs[0] {
                let gx = Tensor(uninitializedShape: xc.shape)
                if training {
                    // gx = a*g + bx*x + c0 with a = w*invstd, from the batch statistics' dependence on x.
                    let m = Double(count)
                    var a = [Float](repeating: 0, count: channels), bx = a, c0 = a
                    for c in 0..<channels {
                        let s = Double(invStd[c]), ac = Double(w[c]) * s
                        let bc = -ac * s * s * centred[c] / m
                        a[c] = Float(ac)
                        bx[c] = Float(bc)
                        c0[c] = Float(-ac * sumG[c] / m - bc * Double(mean[c]))
                    }
                    BatchNormKernels.channelAffine(x: g.basePointer, scale: a, shift: c0, out: gx.basePointer,
                                                   batch: batch, channels: channels, plane: plane,
                                                   extra: xc.basePointer, extraScale: bx)
                } else {
                    let zeros = [Float](repeating: 0, count: channels)
                    BatchNormKernels.channelAffine(x: g.basePointer, scale: scale, shift: zeros, out: gx.basePointer,
                                                   batch: batch, channels: channels, plane: plane)
                }
                grads[0] = gx
            }
            if let weightIndex, needs[weightIndex] {
                grads[weightIndex] = try Tensor(shape: [channels], values: (0..<channels).map { Float(centred[$0] * Double(invStd[$0])) })
            }
            if let biasIndex, needs[biasIndex] {
                grads[biasIndex] = try Tensor(shape: [channels], values: sumG.map { Float($0) })
            }
            return grads
        }
    }
}
