extension EfficientNetLite0 {
    /// A snapshot of the network for inference with every BatchNorm folded into the preceding
    /// convolution (weight * scale, bias = shift, from the running statistics). Later changes to
    /// the model's weights do not reach it: fold again after training or loading.
    public func inferenceFolded() -> FoldedEfficientNetLite0 {
        func fold(_ conv: Conv2d, _ bn: BatchNorm2d, relu6: Bool) -> FoldedEfficientNetLite0.Conv {
            let (scale, shift) = ConvBatchNorm.affine(of: bn)
            let w = conv.weight.value.contiguousValues()
            let folded = Tensor(uninitializedShape: w.shape)
            let perChannel = w.count / Swift.max(scale.count, 1)
            for o in 0..<scale.count {
                for i in 0..<perChannel { folded.basePointer[o * perChannel + i] = w.basePointer[o * perChannel + i] * scale[o] }
            }
            let bias = Tensor(uninitializedShape: [scale.count])
            for o in 0..<scale.count { bias.basePointer[o] = shift[o] + (conv.bias.map { $0.value.contiguousValues().basePointer[o] * scale[o] } ?? 0) }
            return .init(weight: folded, bias: bias, stride: conv.stride, groups: conv.groups, relu6: relu6)
        }
        let blockConvs = blocks.map { block in
            FoldedEfficientNetLite0.Block(
                expand: zip(block.expandConv.map { [$0] } ?? [], block.bn0.map { [$0] } ?? []).map { fold($0, $1, relu6: true) }.first,
                depthwise: fold(block.depthwiseConv, block.bn1, relu6: true),
                project: fold(block.projectConv, block.bn2, relu6: false),
                hasSkip: block.hasSkip)
        }
        return FoldedEfficientNetLite0(stem: fold(convStem, bn0, relu6: true), blocks: blockConvs,
                                       head: fold(convHead, bn1, relu6: true),
                                       fcWeight: fc.weight.value.detached(), fcBias: fc.bias?.value.detached())
    }
}

/// EfficientNet-Lite0 for inference only, with BatchNorm folded into the convolutions (made by
/// `EfficientNetLite0.inferenceFolded()`): each unit is one biased convolution plus an in-place
/// ReLU6. Runs without autograd; outputs equal the model's eval-mode outputs up to rounding.
public struct FoldedEfficientNetLite0: Sendable {
    /// A convolution with its BatchNorm folded in; TensorFlow SAME padding.
    public struct Conv: Sendable {
        let weight: Tensor, bias: Tensor
        let stride: (Int, Int), groups: Int, relu6: Bool

        func callAsFunction(_ x: Tensor) throws -> Tensor {
            let padding = Padding2D.same(inputHeight: x.shape[2], inputWidth: x.shape[3],
                                         kernel: (weight.shape[2], weight.shape[3]), stride: stride)
            let y = try Functional.conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, groups: groups)
            if relu6 { ConvBatchNorm.relu6InPlace(y) }
            return y
        }
    }

    struct Block: Sendable {
        let expand: Conv?, depthwise: Conv, project: Conv
        let hasSkip: Bool
    }

    let stem: Conv
    let blocks: [Block]
    let head: Conv
    let fcWeight: Tensor, fcBias: Tensor?

    /// The 1280-channel feature map before pooling.
    public func featureMap(_ x: Tensor) throws -> Tensor {
        guard x.rank == 4, x.shape[1] == 3 else {
            throw KaizenError.shapeMismatch(op: "FoldedEfficientNetLite0", detail: "input must be [N, 3, H, W], got \(Shape.describe(x.shape))")
        }
        return try noGrad {
            var h = try stem(x)
            for block in blocks {
                var y = h
                if let expand = block.expand { y = try expand(y) }
                y = try block.project(block.depthwise(y))
                h = block.hasSkip ? try y + h : y
            }
            return try head(h)
        }
    }

    /// Pooled 1280-d features.
    public func features(_ x: Tensor) throws -> Tensor {
        try noGrad { try Functional.globalAvgPool2d(featureMap(x)) }
    }

    /// Class logits.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try noGrad {
            let y = try features(x).matmul(fcWeight.transposed())
            guard let fcBias else { return y }
            return try y + fcBias
        }
    }
}
