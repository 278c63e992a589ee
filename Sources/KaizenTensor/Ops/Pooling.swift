/// Spatial pooling of NCHW tensors: max, average and global average.
extension Functional {
    /// Max pooling. Padding counts as -infinity; each padding side must be at most half the kernel
    /// (as in PyTorch), so every window sees at least one input. NaN propagates.
    public static func maxPool2d(_ x: Tensor, kernel: (Int, Int), stride: (Int, Int),
                                 padding: Padding2D = .symmetric(0)) throws -> Tensor {
        let g = try poolGeometry("maxPool2d", x, kernel: kernel, stride: stride, padding: padding)
        let xc = x.contiguousValues()
        let out = Tensor(uninitializedShape: [g.batch, g.channels, g.outH, g.outW])
        let argmax = ArgmaxBuffer(count: out.count)
        PoolKernels.maxForward(x: xc.basePointer, out: out.basePointer, argmax: argmax.pointer, geometry: g)
        return Autograd.record("maxPool2d", output: out, inputs: [x]) { gradOut, _ in
            let gx = Tensor(uninitializedShape: xc.shape)
            PoolKernels.maxBackward(gradOut: gradOut.contiguousValues().basePointer, argmax: argmax.pointer,
                                    gradInput: gx.basePointer, geometry: g)
            return [gx]
        }
    }

    /// Average pooling with PyTorch's default `count_include_pad=True`: every window is divided by
    /// kh * kw, padded positions counting as zeros (`ceil_mode` is always false).
    public static func avgPool2d(_ x: Tensor, kernel: (Int, Int), stride: (Int, Int),
                                 padding: Padding2D = .symmetric(0)) throws -> Tensor {
        let g = try poolGeometry("avgPool2d", x, kernel: kernel, stride: stride, padding: padding)
        let xc = x.contiguousValues()
        let out = Tensor(uninitializedShape: [g.batch, g.channels, g.outH, g.outW])
        PoolKernels.avgForward(x: xc.basePointer, out: out.basePointer, geometry: g)
        return Autograd.record("avgPool2d", output: out, inputs: [x]) { gradOut, _ in
            let gx = Tensor(uninitializedShape: xc.shape)
            PoolKernels.avgBackward(gradOut: gradOut.contiguousValues().basePointer, gradInput: gx.basePointer, geometry: g)
            return [gx]
        }
    }

    /// Mean over H and W: [N, C, H, W] -> [N, C].
    public static func globalAvgPool2d(_ x: Tensor) throws -> Tensor {
        guard x.rank == 4 else {
            throw KaizenError.shapeMismatch(op: "globalAvgPool2d", detail: "input must be [N, C, H, W], got \(Shape.describe(x.shape))")
        }
        let xc = x.contiguousValues()
        let planes = x.shape[0] * x.shape[1], planeSize = x.shape[2] * x.shape[3]
        let out = Tensor(uninitializedShape: [x.shape[0], x.shape[1]])
        PoolKernels.globalAvgForward(x: xc.basePointer, out: out.basePointer, planes: planes, planeSize: planeSize)
        let inShape = x.shape
        return Autograd.record("globalAvgPool2d", output: out, inputs: [x]) { gradOut, _ in
            let gx = Tensor(uninitializedShape: inShape)
            PoolKernels.globalAvgBackward(gradOut: gradOut.contiguousValues().basePointer, gradInput: gx.basePointer,
                                          planes: planes, planeSize: planeSize)
            return [gx]
        }
    }

    static func poolGeometry(_ op: String, _ x: Tensor, kernel: (Int, Int), stride: (Int, Int),
                             padding: Padding2D) throws -> ConvGeometry {
        guard x.rank == 4 else {
            throw KaizenError.shapeMismatch(op: op, detail: "input must be [N, C, H, W], got \(Shape.describe(x.shape))")
        }
        guard kernel.0 >= 1, kernel.1 >= 1 else {
            throw KaizenError.invalidArgument(name: "kernel", detail: "\(op): must be >= 1, got \(kernel)")
        }
        guard stride.0 >= 1, stride.1 >= 1 else {
            throw KaizenError.invalidArgument(name: "stride", detail: "\(op): must be >= 1, got \(stride)")
        }
        let halfH = kernel.0 / 2, halfW = kernel.1 / 2
        guard padding.top >= 0, padding.bottom >= 0, padding.left >= 0, padding.right >= 0,
              max(padding.top, padding.bottom) <= halfH, max(padding.left, padding.right) <= halfW else {
            throw KaizenError.invalidArgument(name: "padding", detail: "\(op): each side must be in 0...kernel/2 (\(halfH), \(halfW)), got \(padding)")
        }
        try checkWindow(op: op, input: x.shape, kernel: kernel, dilation: (1, 1), padding: padding, what: "pooling window \(kernel)")
        return ConvGeometry(batch: x.shape[0], channels: x.shape[1], height: x.shape[2], width: x.shape[3],
                            kernel: kernel, stride: stride, dilation: (1, 1), padding: padding)
    }
}

/// Argmax indices kept alive by the max-pool backward closure.
final class ArgmaxBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Int32>
    init(count: Int) { pointer = .allocate(capacity: max(count, 1)) }
    deinit { pointer.deallocate() }
}
