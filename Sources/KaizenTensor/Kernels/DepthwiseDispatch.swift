/// Chooses the depthwise kernel for a geometry (measured on EfficientNet-Lite0 shapes, BENCHMARKS.md):
/// padded-plane row kernels for planes at least eight outputs wide (3x3/5x5 at stride 1: forward
/// and input gradient; 3x3 at stride 2: forward, from sixteen wide in AVX-512 builds), channel
/// blocks for every other multiplier-1 case (small planes, stride-2 gradients), the per-row 3x3
/// kernel for the other 3x3 forwards with a multiplier, phase planes otherwise.
enum DepthwiseDispatch {
    /// Whether the forward's channel blocks are 16 wide (AVX-512 builds). Then they also win the
    /// stride-2 3x3 forward at 8-15 outputs wide (N64 144 @16: 0.91 against 1.21 ms with the
    /// strided row kernel; at 16 and 28 wide the row kernel is as fast or faster; with 8-wide
    /// blocks, AVX2 builds, 0.96-1.43 against 1.18 ms). Below eight outputs wide the blocks win in
    /// both builds (N64 @7, @4, @8/s2: 2-3.5x faster than the per-row 3x3 kernel).
    static let wideBlocks = DepthwiseChannelBlock.ForwardLanes.scalarCount == 16

    static func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        out: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, multiplier m: Int) {
        if DepthwiseRowKernel.applies(g) {
            DepthwiseRowKernel.forward(x: x, weight: weight, bias: bias, out: out, geometry: g, multiplier: m)
        } else if DepthwiseStridedRowKernel.applies(g) && !(m == 1 && wideBlocks && g.outW < 16) {
            DepthwiseStridedRowKernel.forward(x: x, weight: weight, bias: bias, out: out, geometry: g, multiplier: m)
        } else if Depthwise3x3Kernel.applies(g) && m != 1 {
            Depthwise3x3Kernel.forward(x: x, weight: weight, bias: bias, out: out, geometry: g, multiplier: m)
        } else if DepthwiseBlockedKernels.applies(g, multiplier: m) {
            DepthwiseBlockedKernels.forward(x: x, weight: weight, bias: bias, out: out, geometry: g)
        } else {
            DepthwisePhaseKernels.forward(x: x, weight: weight, bias: bias, out: out, geometry: g, multiplier: m)
        }
    }

    /// Input gradient and weight gradient (each only when its buffer is given; overwritten).
    static func backward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOut: UnsafePointer<Float>,
                         geometry g: ConvGeometry, multiplier m: Int,
                         gradInput: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>?) {
        if let gradInput {
            if DepthwiseRowKernel.appliesToInputGradient(g, multiplier: m) {
                DepthwiseRowKernel.inputGradient(weight: weight, gradOut: gradOut, gradInput: gradInput, geometry: g)
            } else if DepthwiseBlockedKernels.applies(g, multiplier: m) {
                DepthwiseBlockedKernels.inputGradient(weight: weight, gradOut: gradOut, gradInput: gradInput, geometry: g)
            } else {
                DepthwisePhaseKernels.inputGradient(weight: weight, gradOut: gradOut, gradInput: gradInput, geometry: g, multiplier: m)
            }
        }
        if let gradWeight {
            // The row sweep wins on wide planes; on narrow ones (16 wide at N64) most of a row is
            // border and scalar tail, and the channel blocks are 1.5-2x faster.
            if Depthwise3x3Kernel.applies(g) && g.strideW == 1 && g.outW >= 32 {
                Depthwise3x3Kernel.weightGradient(x: x, gradOut: gradOut, gradWeight: gradWeight, geometry: g, multiplier: m)
            } else if DepthwiseBlockedKernels.applies(g, multiplier: m) {
                DepthwiseBlockedKernels.weightGradient(x: x, gradOut: gradOut, gradWeight: gradWeight, geometry: g)
            } else {
                DepthwisePhaseKernels.weightGradient(x: x, gradOut: gradOut, gradWeight: gradWeight, geometry: g, multiplier: m)
            }
        }
    }
}
