/// 2-D convolution over NCHW images with OIHW weights (PyTorch layout and semantics, plus
/// asymmetric padding). Four paths: 1x1/stride-1 as one matrix product per image, few input
/// channels (an RGB stem) through im2col + `ShallowProductKernel`, other dense or grouped k x k
/// through im2col + sgemm, and depthwise as direct kernels (`DepthwiseDispatch`).
extension Functional {
    /// `x` [N, Cin, H, W], `weight` [O, Cin/groups, kh, kw], `bias` [O] -> [N, O, OH, OW].
    public static func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: (Int, Int) = (1, 1),
                              padding: Padding2D = .symmetric(0), dilation: (Int, Int) = (1, 1),
                              groups: Int = 1) throws -> Tensor {
        let g = try convGeometry(x: x.shape, weight: weight.shape, bias: bias?.shape, stride: stride,
                                 padding: padding, dilation: dilation, groups: groups)
        let outChannels = weight.shape[0]
        let depthwise = groups == g.channels && groups > 1
        let xc = x.contiguousValues(), wc = weight.contiguousValues(), bc = bias?.contiguousValues()
        let out = Tensor(uninitializedShape: [g.batch, outChannels, g.outH, g.outW])
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        var kept: TensorStorage?
        if depthwise {
            DepthwiseDispatch.forward(x: xc.basePointer, weight: wc.basePointer, bias: bc.map { UnsafePointer($0.basePointer) },
                                      out: out.basePointer, geometry: g, multiplier: outChannels / groups)
        } else if PointwiseBatchedKernels.applies(g, groups: groups) {
            PointwiseBatchedKernels.forward(x: xc.basePointer, weight: wc.basePointer, bias: bc.map { UnsafePointer($0.basePointer) },
                                            out: out.basePointer, geometry: g, outChannels: outChannels)
        } else if ShallowConvKernels.applies(g, outChannels: outChannels, groups: groups) {
            if weight.node != nil && Autograd.willRecord(inputs) {
                kept = TensorStorage(uninitializedCount: ShallowConvKernels.keptCount(g))
            }
            ShallowConvKernels.forward(x: xc.basePointer, weight: wc.basePointer, bias: bc.map { UnsafePointer($0.basePointer) },
                                       out: out.basePointer, geometry: g, outChannels: outChannels, keptColumns: kept?.pointer)
        } else {
            DenseConvKernels.forward(x: xc.basePointer, weight: wc.basePointer, bias: bc.map { UnsafePointer($0.basePointer) },
                                     out: out.basePointer, geometry: g, outChannels: outChannels, groups: groups)
        }
        let columns = kept
        return Autograd.record(depthwise ? "depthwiseConv2d" : "conv2d", output: out, inputs: inputs) { gradOut, needs in
            let go = gradOut.contiguousValues()
            let gx: Tensor? = needs[0] ? Tensor(uninitializedShape: xc.shape) : nil
            let gw: Tensor? = needs[1] ? Tensor(uninitializedShape: wc.shape) : nil
            if depthwise {
                DepthwiseDispatch.backward(x: xc.basePointer, weight: wc.basePointer, gradOut: go.basePointer,
                                           geometry: g, multiplier: outChannels / groups,
                                           gradInput: gx?.basePointer, gradWeight: gw?.basePointer)
            } else if PointwiseBatchedKernels.applies(g, groups: groups) {
                PointwiseBatchedKernels.backward(x: xc.basePointer, weight: wc.basePointer, gradOut: go.basePointer,
                                                 geometry: g, outChannels: outChannels,
                                                 gradInput: gx?.basePointer, gradWeight: gw?.basePointer)
            } else if let columns, ShallowConvKernels.applies(g, outChannels: outChannels, groups: groups) {
                // Kept columns are laid out for the shallow kernels; the input gradient (rarely needed
                // for a stem) goes through sgemm and col2im.
                if let gw {
                    withExtendedLifetime(columns) {
                        ShallowConvKernels.weightGradient(gradOut: go.basePointer, columns: columns.pointer, geometry: g,
                                                          outChannels: outChannels, gradWeight: gw.basePointer)
                    }
                }
                if let gx {
                    DenseConvKernels.backward(x: xc.basePointer, weight: wc.basePointer, gradOut: go.basePointer,
                                              geometry: g, outChannels: outChannels, groups: groups,
                                              gradInput: gx.basePointer, gradWeight: nil)
                }
            } else if gx != nil || gw != nil {
                DenseConvKernels.backward(x: xc.basePointer, weight: wc.basePointer, gradOut: go.basePointer,
                                          geometry: g, outChannels: outChannels, groups: groups,
                                          gradInput: gx?.basePointer, gradWeight: gw?.basePointer)
            }
            var grads: [Tensor?] = [gx, gw]
            if bias != nil { grads.append(needs[2] ? ConvReductions.sumPerChannel(go) : nil) }
            return grads
        }
    }

    /// Validates the shapes of a convolution and returns its geometry.
    static func convGeometry(x: [Int], weight: [Int], bias: [Int]?, stride: (Int, Int), padding: Padding2D,
                             dilation: (Int, Int), groups: Int) throws -> ConvGeometry {
        let op = "conv2d"
        guard x.count == 4 else {
            throw KaizenError.shapeMismatch(op: op, detail: "input must be [N, C, H, W], got \(Shape.describe(x))")
        }
        guard weight.count == 4 else {
            throw KaizenError.shapeMismatch(op: op, detail: "weight must be [O, C/groups, kh, kw], got \(Shape.describe(weight))")
        }
        guard groups >= 1 else { throw KaizenError.invalidArgument(name: "groups", detail: "\(op): must be >= 1, got \(groups)") }
        guard stride.0 >= 1, stride.1 >= 1 else {
            throw KaizenError.invalidArgument(name: "stride", detail: "\(op): must be >= 1, got \(stride)")
        }
        guard dilation.0 >= 1, dilation.1 >= 1 else {
            throw KaizenError.invalidArgument(name: "dilation", detail: "\(op): must be >= 1, got \(dilation)")
        }
        guard padding.top >= 0, padding.bottom >= 0, padding.left >= 0, padding.right >= 0 else {
            throw KaizenError.invalidArgument(name: "padding", detail: "\(op): must be >= 0, got \(padding)")
        }
        let cin = x[1], o = weight[0]
        guard cin % groups == 0, o % groups == 0 else {
            throw KaizenError.shapeMismatch(op: op, detail: "input channels \(cin) and weight out channels \(o) must both be divisible by groups \(groups)")
        }
        guard weight[1] == cin / groups else {
            throw KaizenError.shapeMismatch(op: op, detail: "weight \(Shape.describe(weight)) expects \(weight[1] * groups) input channels with groups \(groups), but input \(Shape.describe(x)) has \(cin)")
        }
        guard weight[2] >= 1, weight[3] >= 1 else {
            throw KaizenError.shapeMismatch(op: op, detail: "weight \(Shape.describe(weight)) has an empty kernel")
        }
        if let bias, bias != [o] {
            throw KaizenError.shapeMismatch(op: op, detail: "bias must be [\(o)] for weight \(Shape.describe(weight)), got \(Shape.describe(bias))")
        }
        try checkWindow(op: op, input: x, kernel: (weight[2], weight[3]), dilation: dilation, padding: padding,
                        what: "kernel of weight \(Shape.describe(weight))")
        return ConvGeometry(batch: x[0], channels: cin, height: x[2], width: x[3], kernel: (weight[2], weight[3]),
                            stride: stride, dilation: dilation, padding: padding)
    }

    /// Throws when the (dilated) window does not fit in the padded input.
    static func checkWindow(op: String, input: [Int], kernel: (Int, Int), dilation: (Int, Int), padding: Padding2D,
                            what: String) throws {
        let effH = (kernel.0 - 1) * dilation.0 + 1, effW = (kernel.1 - 1) * dilation.1 + 1
        let paddedH = input[2] + padding.top + padding.bottom, paddedW = input[3] + padding.left + padding.right
        guard effH <= paddedH, effW <= paddedW else {
            throw KaizenError.shapeMismatch(op: op, detail: "\(what) spans \(effH)x\(effW) (with dilation), larger than the padded input \(paddedH)x\(paddedW) of input \(Shape.describe(input))")
        }
    }
}

/// Per-channel sums of an NCHW gradient (bias gradients).
enum ConvReductions {
    static func sumPerChannel(_ t: Tensor) -> Tensor {
        let n = t.shape[0], c = t.shape[1], plane = t.count / max(n * c, 1)
        let out = Tensor(shape: [c], repeating: 0)
        let p = t.basePointer, o = out.basePointer
        for i in 0..<n { for ch in 0..<c { o[ch] += Kernels.sum(p + (i * c + ch) * plane, plane) } }
        return out
    }
}
