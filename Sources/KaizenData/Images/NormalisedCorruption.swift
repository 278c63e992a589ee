import KaizenTensor

extension Corruption {
    /// Corrupts images that are already normalised with per-channel `mean`/`std` (ImageNet's by
    /// default): undo the normalisation, corrupt in [0, 1], normalise again.
    public func applyNormalised(_ images: Tensor, severity: Int, seed: UInt64,
                                mean: [Float] = ImageTransforms.imageNetMean, std: [Float] = ImageTransforms.imageNetStd) throws -> Tensor {
        // x * std + mean, written as a normalisation with mean' = -mean/std and std' = 1/std.
        let raw = try ImageTransforms.normalize(images, mean: zip(mean, std).map { -$0 / $1 }, std: std.map { 1 / $0 })
        let clamped = raw.clamp(min: 0, max: 1)
        return try ImageTransforms.normalize(apply(clamped, severity: severity, seed: seed), mean: mean, std: std)
    }
}
