/// Convolution, BatchNorm and optional ReLU6, the unit EfficientNet repeats. In evaluation mode
/// without gradients the BatchNorm becomes a per-channel affine map that runs, with the clamp, as
/// one in-place pass over the convolution's fresh output (no extra tensors).
enum ConvBatchNorm {
    static func apply(_ conv: Conv2d, _ bn: BatchNorm2d, _ x: Tensor, relu6: Bool) throws -> Tensor {
        guard !GradMode.isEnabled, !bn.trainingMode, bn.tracksRunningStats else {
            let y = try bn(conv(x))
            return relu6 ? y.relu6() : y
        }
        let y = try conv(x)
        let (scale, shift) = affine(of: bn)
        channelAffineInPlace(y, scale: scale, shift: shift, relu6: relu6)
        return y
    }

    /// The evaluation-mode BatchNorm as y = scale * x + shift per channel.
    static func affine(of bn: BatchNorm2d) -> (scale: [Float], shift: [Float]) {
        let c = bn.numFeatures
        let mean = bn.runningMean.value.scalars, variance = bn.runningVar.value.scalars
        let w = bn.weight?.value.scalars ?? [Float](repeating: 1, count: c)
        let b = bn.bias?.value.scalars ?? [Float](repeating: 0, count: c)
        let scale = (0..<c).map { w[$0] / (variance[$0] + bn.eps).squareRoot() }
        return (scale, (0..<c).map { b[$0] - mean[$0] * scale[$0] })
    }

    /// y[n, c] = scale[c] * y[n, c] + shift[c], clamped to [0, 6] when `relu6`; y must be contiguous NCHW.
    static func channelAffineInPlace(_ y: Tensor, scale: [Float], shift: [Float], relu6: Bool) {
        let channels = y.shape[1], plane = y.shape[2] * y.shape[3]
        let p = UncheckedSendable(y.basePointer)
        scale.withUnsafeBufferPointer { sb in
            shift.withUnsafeBufferPointer { hb in
                let ps = UncheckedSendable(sb), ph = UncheckedSendable(hb)
                Parallel.forRanges(y.shape[0] * channels, costPerItem: plane) { range in
                    for item in range {
                        let c = item % channels, s = ps.value[c], h = ph.value[c]
                        let row = p.value + item * plane
                        if relu6 {
                            for i in 0..<plane { row[i] = Swift.min(Swift.max(row[i] * s + h, 0), 6) }
                        } else {
                            for i in 0..<plane { row[i] = row[i] * s + h }
                        }
                    }
                }
            }
        }
    }

    /// ReLU6 in place on a fresh contiguous tensor.
    static func relu6InPlace(_ y: Tensor) {
        let p = UncheckedSendable(y.basePointer)
        Parallel.forRanges(y.count, costPerItem: 1) { range in
            for i in range { p.value[i] = Swift.min(Swift.max(p.value[i], 0), 6) }
        }
    }
}
