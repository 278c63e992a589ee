/// Batch normalisation over the channels of NCHW tensors (PyTorch's `nn.BatchNorm2d`).
/// Training mode normalises with batch statistics and updates the running statistics in place;
/// evaluation mode uses the running statistics. Buffers: `running_mean`, `running_var`, and
/// `num_batches_tracked` (kept as a Float32 scalar; PyTorch stores int64, loaders convert).
public final class BatchNorm2d: Layer {
    public let weight: Parameter?
    public let bias: Parameter?
    public let runningMean: Buffer
    public let runningVar: Buffer
    public let numBatchesTracked: Buffer
    public let momentum: Float
    public let eps: Float
    /// Without running statistics, batch statistics are used in both modes and no buffers are saved.
    public let tracksRunningStats: Bool
    public var trainingMode = true

    public init(_ numFeatures: Int, eps: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true,
                trackRunningStats: Bool = true) {
        weight = affine ? Parameter(.ones([numFeatures])) : nil
        bias = affine ? Parameter(.zeros([numFeatures])) : nil
        runningMean = Buffer(.zeros([numFeatures]))
        runningVar = Buffer(.ones([numFeatures]))
        numBatchesTracked = Buffer(.zeros([]))
        self.momentum = momentum
        self.eps = eps
        tracksRunningStats = trackRunningStats
    }

    public var numFeatures: Int { runningMean.shape[0] }

    public func localParameters() -> [(String, Parameter)] {
        (weight.map { [("weight", $0)] } ?? []) + (bias.map { [("bias", $0)] } ?? [])
    }

    public func localBuffers() -> [(String, Buffer)] {
        guard tracksRunningStats else { return [] }
        return [("running_mean", runningMean), ("running_var", runningVar), ("num_batches_tracked", numBatchesTracked)]
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let useBatchStats = trainingMode || !tracksRunningStats
        // Without tracking, the functional op still wants running tensors: give it scratch ones.
        let mean = tracksRunningStats ? runningMean.value : Tensor.zeros([numFeatures])
        let variance = tracksRunningStats ? runningVar.value : Tensor.ones([numFeatures])
        let y = try Functional.batchNorm2d(x, runningMean: mean, runningVar: variance, weight: weight?.value, bias: bias?.value,
                                           training: useBatchStats, momentum: momentum, eps: eps)
        if trainingMode && tracksRunningStats { numBatchesTracked.value.basePointer.pointee += 1 }
        return y
    }
}
