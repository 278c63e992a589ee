/// Shape checks and plane-parallel loops shared by the image kernels, which all work on
/// contiguous Float32 batches laid out as [N, C, H, W].
public struct ImageBatchShape: Sendable, Equatable {
    public let count: Int, channels: Int, height: Int, width: Int

    public init(count: Int, channels: Int, height: Int, width: Int) {
        self.count = count; self.channels = channels; self.height = height; self.width = width
    }

    /// Reads the shape of an [N, C, H, W] tensor; `op` names the caller in the error.
    public init(of images: Tensor, op: String) throws {
        guard images.rank == 4 else {
            throw KaizenError.shapeMismatch(op: op, detail: "expected images [N, C, H, W], got \(Shape.describe(images.shape))")
        }
        self.init(count: images.shape[0], channels: images.shape[1], height: images.shape[2], width: images.shape[3])
    }

    public var planes: Int { count * channels }
    public var planeSize: Int { height * width }
    public var imageSize: Int { channels * height * width }
    public var dims: [Int] { [count, channels, height, width] }
}

enum ImageKernels {
    /// Runs `body(plane)` for every H x W plane of the batch, in parallel chunks when the work is large.
    static func forEachPlane(_ planes: Int, costPerPlane: Int, _ body: (Int) -> Void) {
        Parallel.forRanges(planes, costPerItem: costPerPlane) { range in
            for p in range { body(p) }
        }
    }

    /// A contiguous copy of `images` whose storage the caller may read while writing elsewhere.
    static func source(_ images: Tensor) -> Tensor { images.detached().contiguousValues() }
}
