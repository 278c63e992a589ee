/// Zero padding of the two spatial dimensions of an NCHW tensor, per side. Asymmetric padding is
/// what TensorFlow "SAME" needs for even kernels, strides > 1 or odd sizes (EfficientNet-Lite).
public struct Padding2D: Sendable, Equatable, CustomStringConvertible {
    public var top: Int
    public var bottom: Int
    public var left: Int
    public var right: Int

    public init(top: Int, bottom: Int, left: Int, right: Int) {
        self.top = top
        self.bottom = bottom
        self.left = left
        self.right = right
    }

    /// The same padding `p` on all four sides (PyTorch's `padding=p`).
    public static func symmetric(_ p: Int) -> Padding2D { Padding2D(top: p, bottom: p, left: p, right: p) }

    /// TensorFlow "SAME": the output is ceil(in / stride) and the padding is split with the extra
    /// pixel at the bottom/right.
    public static func same(inputHeight: Int, inputWidth: Int, kernel: (Int, Int), stride: (Int, Int),
                            dilation: (Int, Int) = (1, 1)) -> Padding2D {
        let (top, bottom) = sameSplit(input: inputHeight, kernel: kernel.0, stride: stride.0, dilation: dilation.0)
        let (left, right) = sameSplit(input: inputWidth, kernel: kernel.1, stride: stride.1, dilation: dilation.1)
        return Padding2D(top: top, bottom: bottom, left: left, right: right)
    }

    /// (before, after) of one dimension under "SAME".
    static func sameSplit(input: Int, kernel: Int, stride: Int, dilation: Int) -> (Int, Int) {
        let s = Swift.max(stride, 1)
        let outSize = (input + s - 1) / s
        let total = Swift.max((outSize - 1) * s + (kernel - 1) * Swift.max(dilation, 1) + 1 - input, 0)
        return (total / 2, total - total / 2)
    }

    var isZero: Bool { top == 0 && bottom == 0 && left == 0 && right == 0 }

    public var description: String { "(top \(top), bottom \(bottom), left \(left), right \(right))" }
}
