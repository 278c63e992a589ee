/// The sizes of one sliding-window sweep over an NCHW batch (convolution or pooling), with the
/// output size and the per-tap ranges of outputs whose input lies inside the image. Kernels use
/// those ranges instead of bounds checks in their inner loops.
struct ConvGeometry: Sendable {
    let batch: Int, channels: Int, height: Int, width: Int
    let kernelH: Int, kernelW: Int
    let strideH: Int, strideW: Int
    let dilationH: Int, dilationW: Int
    let padding: Padding2D
    let outH: Int, outW: Int

    init(batch: Int, channels: Int, height: Int, width: Int, kernel: (Int, Int), stride: (Int, Int),
         dilation: (Int, Int), padding: Padding2D) {
        self.batch = batch
        self.channels = channels
        self.height = height
        self.width = width
        (kernelH, kernelW) = kernel
        (strideH, strideW) = stride
        (dilationH, dilationW) = dilation
        self.padding = padding
        outH = (height + padding.top + padding.bottom - ((kernel.0 - 1) * dilation.0 + 1)) / stride.0 + 1
        outW = (width + padding.left + padding.right - ((kernel.1 - 1) * dilation.1 + 1)) / stride.1 + 1
    }

    var planeIn: Int { height * width }
    var planeOut: Int { outH * outW }
    var taps: Int { kernelH * kernelW }

    /// Input row offset of kernel row `i` relative to `oh * strideH`.
    @inline(__always) func rowOffset(_ i: Int) -> Int { i * dilationH - padding.top }
    /// Input column offset of kernel column `j` relative to `ow * strideW`.
    @inline(__always) func colOffset(_ j: Int) -> Int { j * dilationW - padding.left }

    /// Output rows whose input row `oh * strideH + rowOffset(i)` is inside the image.
    @inline(__always) func validRows(_ i: Int) -> Range<Int> {
        ConvGeometry.validRange(offset: rowOffset(i), stride: strideH, size: height, outSize: outH)
    }
    /// Output columns whose input column `ow * strideW + colOffset(j)` is inside the image.
    @inline(__always) func validCols(_ j: Int) -> Range<Int> {
        ConvGeometry.validRange(offset: colOffset(j), stride: strideW, size: width, outSize: outW)
    }

    /// The outputs o in 0..<outSize with 0 <= o * stride + offset < size.
    @inline(__always)
    static func validRange(offset: Int, stride: Int, size: Int, outSize: Int) -> Range<Int> {
        let lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride
        let last = size - 1 - offset
        let hi = last < 0 ? 0 : Swift.min(last / stride + 1, outSize)
        let l = Swift.min(lo, outSize)
        return l..<Swift.max(l, hi)
    }
}
