import Foundation
import KaizenData

/// Per-input seeds: a view generator seeded from the run's seed and the input's content, so the
/// views of an input (hence its features) depend neither on its batch nor on its position.
public enum FUNGIItemSeed {
    /// FNV-1a over the UTF-8 bytes, mixed with the run's seed.
    public static func of(_ text: String, seed: UInt64) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return CounterHash.mix(seed, h)
    }

    /// FNV-1a over the float bits of `count` values, mixed with the run's seed.
    public static func of(_ values: UnsafePointer<Float>, count: Int, seed: UInt64) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in 0..<count { h = (h ^ UInt64(values[i].bitPattern)) &* 0x100_0000_01b3 }
        return CounterHash.mix(seed, h)
    }
}

/// Views of a sentence for FUNGI's text objectives: the paper's random word deletion (SimCLR) and,
/// for DINO (not in the paper's text setting), contiguous word spans, the 1-D analogue of random
/// resized crops.
public enum TextViews {
    static func words(_ text: String) -> [Substring] { text.split(whereSeparator: { $0.isWhitespace }) }

    /// Deletes each word with probability p; keeps one random word when all would go.
    public static func wordDeletion(_ text: String, probability p: Double, rng: inout RandomGenerator) -> String {
        let w = words(text)
        guard !w.isEmpty else { return text }
        let kept = w.filter { _ in rng.nextDouble() >= p }
        return kept.isEmpty ? String(w[rng.nextInt(below: w.count)]) : kept.joined(separator: " ")
    }

    /// A contiguous span holding a random fraction (in `scale`) of the words, at least one.
    public static func wordSpan(_ text: String, scale: ClosedRange<Double>, rng: inout RandomGenerator) -> String {
        let w = words(text)
        guard !w.isEmpty else { return text }
        let fraction = scale.lowerBound + (scale.upperBound - scale.lowerBound) * rng.nextDouble()
        let length = Swift.min(w.count, Swift.max(1, Int((fraction * Double(w.count)).rounded())))
        let start = rng.nextInt(below: w.count - length + 1)
        return w[start..<(start + length)].joined(separator: " ")
    }
}

/// Views of an image for FUNGI's vision objectives: DINO's random resized crops (crops only, no
/// flips or colour jitter) and SimCLR's grid of overlapping patches, each resized to one side.
/// Resizing is bilinear (the paper: bicubic).
public enum ImageViews {
    /// A crop window in input pixels.
    public struct Window: Sendable, Equatable {
        public let top: Int, left: Int, height: Int, width: Int
        public init(top: Int, left: Int, height: Int, width: Int) {
            self.top = top; self.left = left; self.height = height; self.width = width
        }
        init(_ w: RandomResizedCrop.Window) { self.init(top: w.top, left: w.left, height: w.height, width: w.width) }
    }

    /// DINO's `globals` crops with area fraction in `globalScale` then `locals` in `localScale`.
    public static func dinoWindows(height: Int, width: Int, configuration c: DINOObjectiveConfiguration,
                                   rng: inout RandomGenerator) -> [Window] {
        let global = RandomResizedCrop(height: height, width: width, scale: c.globalScale)
        let local = RandomResizedCrop(height: height, width: width, scale: c.localScale)
        return (0..<c.globalViews).map { _ in Window(global.sampleWindow(imageHeight: height, imageWidth: width, rng: &rng)) }
            + (0..<c.localViews).map { _ in Window(local.sampleWindow(imageHeight: height, imageWidth: width, rng: &rng)) }
    }

    /// SimCLR's "patchify": square windows of side fraction * min(H, W) on a grid x grid lattice
    /// with stride floor(side / (grid - 1)) (224 px: 112-px windows at stride 18, 49 views).
    public static func patchWindows(height: Int, width: Int, grid: Int, fraction: Double) -> [Window] {
        let side = Swift.max(1, Int(Double(Swift.min(height, width)) * fraction))
        let stride = grid > 1 ? side / (grid - 1) : 0
        var out: [Window] = []
        for i in 0..<grid {
            for j in 0..<grid {
                let top = Swift.min(i * stride, height - side), left = Swift.min(j * stride, width - side)
                out.append(Window(top: top, left: left, height: side, width: side))
            }
        }
        return out
    }

    /// Crops `windows[k]` of image `sources[k]` from [N, C, H, W] and resizes each to size x size: [K, C, size, size].
    public static func crops(_ images: Tensor, sources: [Int], windows: [Window], size: Int) throws -> Tensor {
        guard images.rank == 4, sources.count == windows.count else {
            throw KaizenError.shapeMismatch(op: "ImageViews.crops", detail: "images \(Shape.describe(images.shape)) must be [N, C, H, W] with one source per window")
        }
        let c = images.shape[1], plane = size * size
        let out = Tensor(uninitializedShape: [windows.count, c, size, size])
        for (k, (n, w)) in zip(sources, windows).enumerated() {
            let crop = try images.narrowed(axis: 0, start: n, length: 1).narrowed(axis: 2, start: w.top, length: w.height)
                .narrowed(axis: 3, start: w.left, length: w.width).contiguous()
            let resized = try ImageResize.bilinear(crop, size: size).contiguousValues()
            (out.basePointer + k * c * plane).update(from: resized.basePointer, count: c * plane)
        }
        return out
    }
}
