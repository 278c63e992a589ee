/// The built-in preparation of image data for ImageNet-pretrained models (see design/CLI.md):
/// pixels in [0, 1] (i.e. pixel/255), bilinear resize to S x S (antialiased when shrinking), grey
/// copied to three channels, ImageNet mean/std normalisation.
public enum ImagePreparation {
    /// Grey [N, 1, H, W] in [0, 1] -> normalised [N, 3, S, S]. Resizes before replicating channels,
    /// which gives the same values as the other order at a third of the cost.
    public static func prepare(grey images: Tensor, size: Int) throws -> Tensor {
        let s = try ImageBatchShape(of: images, op: "ImagePreparation.prepare(grey:)")
        guard s.channels == 1 else {
            throw KaizenError.shapeMismatch(op: "ImagePreparation.prepare(grey:)", detail: "expected [N, 1, H, W], got \(Shape.describe(s.dims))")
        }
        let resized = try ImageResize.bilinear(images, size: size)
        return replicateAndNormalize(resized, count: s.count, planeSize: size * size, size: size)
    }

    /// Writes (grey - mean[c]) / std[c] for the three channels in one pass over the output, instead
    /// of a copy pass followed by a normalisation pass (the output is 3x the input and memory-bound).
    private static func replicateAndNormalize(_ grey: Tensor, count: Int, planeSize: Int, size: Int) -> Tensor {
        let out = Tensor(uninitializedShape: [count, 3, size, size])
        let i = UncheckedSendable(grey.basePointer), o = UncheckedSendable(out.basePointer)
        let mean = ImageTransforms.imageNetMean, std = ImageTransforms.imageNetStd
        ImageKernels.forEachPlane(count * 3, costPerPlane: planeSize) { p in
            let c = p % 3, m = mean[c], r = 1 / std[c]
            let from = i.value + (p / 3) * planeSize, to = o.value + p * planeSize
            for k in 0..<planeSize { to[k] = (from[k] - m) * r }
        }
        return out
    }

    /// Colour [N, 3, H, W] in [0, 1] -> normalised [N, 3, S, S].
    public static func prepare(rgb images: Tensor, size: Int) throws -> Tensor {
        let s = try ImageBatchShape(of: images, op: "ImagePreparation.prepare(rgb:)")
        guard s.channels == 3 else {
            throw KaizenError.shapeMismatch(op: "ImagePreparation.prepare(rgb:)", detail: "expected [N, 3, H, W], got \(Shape.describe(s.dims))")
        }
        return try ImageTransforms.normalize(ImageResize.bilinear(images, size: size))
    }

    /// Either of the above, chosen by the channel count (1 or 3).
    public static func prepare(_ images: Tensor, size: Int) throws -> Tensor {
        let s = try ImageBatchShape(of: images, op: "ImagePreparation.prepare")
        switch s.channels {
        case 1: return try prepare(grey: images, size: size)
        case 3: return try prepare(rgb: images, size: size)
        default:
            throw KaizenError.shapeMismatch(op: "ImagePreparation.prepare", detail: "expected 1 or 3 channels, got \(Shape.describe(s.dims))")
        }
    }
}
