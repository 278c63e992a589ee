/// Max pooling over NCHW images (PyTorch's `nn.MaxPool2d`; stride defaults to the kernel).
public final class MaxPool2d: Layer {
    public let kernel: (Int, Int), stride: (Int, Int), padding: Padding2D
    public var trainingMode = true

    public init(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: Padding2D = .symmetric(0)) {
        self.kernel = kernel
        self.stride = stride ?? kernel
        self.padding = padding
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try Functional.maxPool2d(x, kernel: kernel, stride: stride, padding: padding)
    }
}

/// Average pooling over NCHW images (`count_include_pad=True`; stride defaults to the kernel).
public final class AvgPool2d: Layer {
    public let kernel: (Int, Int), stride: (Int, Int), padding: Padding2D
    public var trainingMode = true

    public init(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: Padding2D = .symmetric(0)) {
        self.kernel = kernel
        self.stride = stride ?? kernel
        self.padding = padding
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try Functional.avgPool2d(x, kernel: kernel, stride: stride, padding: padding)
    }
}

/// Mean over height and width: [N, C, H, W] -> [N, C] (`AdaptiveAvgPool2d(1)` followed by flatten).
public final class GlobalAvgPool2d: Layer {
    public var trainingMode = true

    public init() {}

    public func callAsFunction(_ x: Tensor) throws -> Tensor { try Functional.globalAvgPool2d(x) }
}
