/// Deterministic per-pixel and geometric transforms on [N, C, H, W] Float32 batches (data
/// preparation only: results carry no gradient).
public enum ImageTransforms {
    /// ImageNet channel statistics used by torchvision-pretrained models.
    public static let imageNetMean: [Float] = [0.485, 0.456, 0.406]
    public static let imageNetStd: [Float] = [0.229, 0.224, 0.225]

    /// The central `height` x `width` window (offsets rounded half to even, as torchvision's Python `round((H - h) / 2)`).
    public static func centerCrop(_ images: Tensor, height: Int, width: Int) throws -> Tensor {
        let s = try ImageBatchShape(of: images, op: "ImageTransforms.centerCrop")
        guard height > 0, width > 0, height <= s.height, width <= s.width else {
            throw KaizenError.invalidArgument(name: "size", detail: "centre crop \(height)x\(width) must fit in \(s.height)x\(s.width)")
        }
        let top = Int((Double(s.height - height) / 2).rounded(.toNearestOrEven)), left = Int((Double(s.width - width) / 2).rounded(.toNearestOrEven))
        return try crop(images, top: top, left: left, height: height, width: width)
    }

    /// The window at (`top`, `left`) of size `height` x `width`, which must lie inside the image.
    public static func crop(_ images: Tensor, top: Int, left: Int, height: Int, width: Int) throws -> Tensor {
        let s = try ImageBatchShape(of: images, op: "ImageTransforms.crop")
        guard top >= 0, left >= 0, height > 0, width > 0, top + height <= s.height, left + width <= s.width else {
            throw KaizenError.invalidArgument(name: "crop", detail: "window (\(top), \(left)) \(height)x\(width) must lie inside \(s.height)x\(s.width)")
        }
        let src = ImageKernels.source(images)
        let out = Tensor(uninitializedShape: [s.count, s.channels, height, width])
        let i = UncheckedSendable(src.basePointer), o = UncheckedSendable(out.basePointer)
        ImageKernels.forEachPlane(s.planes, costPerPlane: height * width) { p in
            let from = i.value + p * s.planeSize + top * s.width + left, to = o.value + p * height * width
            for y in 0..<height { (to + y * width).update(from: from + y * s.width, count: width) }
        }
        return out
    }

    /// Copies a single grey channel to `channels` (default 3) channels.
    public static func greyToChannels(_ images: Tensor, channels: Int = 3) throws -> Tensor {
        let s = try ImageBatchShape(of: images, op: "ImageTransforms.greyToChannels")
        guard s.channels == 1 else {
            throw KaizenError.shapeMismatch(op: "ImageTransforms.greyToChannels", detail: "expected 1 channel, got \(Shape.describe(s.dims))")
        }
        guard channels > 0 else { throw KaizenError.invalidArgument(name: "channels", detail: "must be positive, got \(channels)") }
        let src = ImageKernels.source(images)
        let out = Tensor(uninitializedShape: [s.count, channels, s.height, s.width])
        let i = UncheckedSendable(src.basePointer), o = UncheckedSendable(out.basePointer)
        ImageKernels.forEachPlane(s.count, costPerPlane: s.planeSize * channels) { n in
            for c in 0..<channels {
                (o.value + (n * channels + c) * s.planeSize).update(from: i.value + n * s.planeSize, count: s.planeSize)
            }
        }
        return out
    }

    /// (x - mean[c]) / std[c] per channel; `mean` and `std` need one entry per channel.
    public static func normalize(_ images: Tensor, mean: [Float] = imageNetMean, std: [Float] = imageNetStd) throws -> Tensor {
        let s = try ImageBatchShape(of: images, op: "ImageTransforms.normalize")
        guard mean.count == s.channels, std.count == s.channels else {
            throw KaizenError.shapeMismatch(op: "ImageTransforms.normalize",
                                            detail: "\(s.channels) channels but \(mean.count) means and \(std.count) stds")
        }
        guard std.allSatisfy({ $0 > 0 }) else {
            throw KaizenError.invalidArgument(name: "std", detail: "every std must be positive, got \(std)")
        }
        let src = ImageKernels.source(images)
        let out = Tensor(uninitializedShape: s.dims)
        let i = UncheckedSendable(src.basePointer), o = UncheckedSendable(out.basePointer)
        ImageKernels.forEachPlane(s.planes, costPerPlane: s.planeSize) { p in
            let c = p % s.channels, m = mean[c], r = 1 / std[c]
            let from = i.value + p * s.planeSize, to = o.value + p * s.planeSize
            for k in 0..<s.planeSize { to[k] = (from[k] - m) * r }
        }
        return out
    }

    /// Mirrors left-right the images whose `flip` flag is set (one flag per image).
    public static func horizontalFlip(_ images: Tensor, flip: [Bool]) throws -> Tensor {
        let s = try ImageBatchShape(of: images, op: "ImageTransforms.horizontalFlip")
        guard flip.count == s.count else {
            throw KaizenError.shapeMismatch(op: "ImageTransforms.horizontalFlip", detail: "\(s.count) images but \(flip.count) flags")
        }
        let src = ImageKernels.source(images)
        let out = Tensor(uninitializedShape: s.dims)
        let i = UncheckedSendable(src.basePointer), o = UncheckedSendable(out.basePointer)
        ImageKernels.forEachPlane(s.planes, costPerPlane: s.planeSize) { p in
            let from = i.value + p * s.planeSize, to = o.value + p * s.planeSize
            if !flip[p / s.channels] { to.update(from: from, count: s.planeSize); return }
            for y in 0..<s.height {
                let r = from + y * s.width, w = to + y * s.width
                for x in 0..<s.width { w[x] = r[s.width - 1 - x] }
            }
        }
        return out
    }

    /// Flips each image with probability `probability`, drawing one value per image from `seed`.
    public static func randomHorizontalFlip(_ images: Tensor, probability: Double = 0.5, seed: UInt64) throws -> Tensor {
        let s = try ImageBatchShape(of: images, op: "ImageTransforms.randomHorizontalFlip")
        guard (0...1).contains(probability) else {
            throw KaizenError.invalidArgument(name: "probability", detail: "must be in [0, 1], got \(probability)")
        }
        var rng = RandomGenerator(seed: seed)
        let flags = (0..<s.count).map { _ in rng.nextDouble() < probability }
        return try horizontalFlip(images, flip: flags)
    }
}
