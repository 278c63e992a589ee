import Foundation

/// torchvision's `RandomResizedCrop`: per image, a window covering a random fraction `scale` of the
/// area with a log-uniform aspect `ratio` (10 attempts, then a centre crop clamped to the ratio
/// range), resized bilinearly (antialiased) to the output size. Seeded and deterministic.
public struct RandomResizedCrop: Sendable {
    public var height: Int, width: Int
    public var scale: ClosedRange<Double>
    public var ratio: ClosedRange<Double>

    public init(height: Int, width: Int, scale: ClosedRange<Double> = 0.08...1.0,
                ratio: ClosedRange<Double> = (3.0 / 4.0)...(4.0 / 3.0)) {
        self.height = height; self.width = width; self.scale = scale; self.ratio = ratio
    }

    /// A crop window in input coordinates.
    public struct Window: Sendable, Equatable {
        public let top: Int, left: Int, height: Int, width: Int
    }

    /// Samples one window for an `imageHeight` x `imageWidth` image (torchvision's `get_params`).
    public func sampleWindow(imageHeight: Int, imageWidth: Int, rng: inout RandomGenerator) -> Window {
        let area = Double(imageHeight * imageWidth)
        let logLo = Foundation.log(ratio.lowerBound), logHi = Foundation.log(ratio.upperBound)
        for _ in 0..<10 {
            let target = area * (scale.lowerBound + (scale.upperBound - scale.lowerBound) * rng.nextDouble())
            let aspect = Foundation.exp(logLo + (logHi - logLo) * rng.nextDouble())
            let w = Int((target * aspect).squareRoot().rounded(.toNearestOrEven)), h = Int((target / aspect).squareRoot().rounded(.toNearestOrEven))
            if w > 0, h > 0, w <= imageWidth, h <= imageHeight {
                let top = rng.nextInt(below: imageHeight - h + 1), left = rng.nextInt(below: imageWidth - w + 1)
                return Window(top: top, left: left, height: h, width: w)
            }
        }
        // Fallback: the whole image, trimmed to the nearest allowed aspect ratio, centred.
        let inRatio = Double(imageWidth) / Double(imageHeight)
        var w = imageWidth, h = imageHeight
        if inRatio < ratio.lowerBound {
            h = Int((Double(w) / ratio.lowerBound).rounded(.toNearestOrEven))
        } else if inRatio > ratio.upperBound {
            w = Int((Double(h) * ratio.upperBound).rounded(.toNearestOrEven))
        }
        h = max(1, min(h, imageHeight)); w = max(1, min(w, imageWidth))
        return Window(top: (imageHeight - h) / 2, left: (imageWidth - w) / 2, height: h, width: w)
    }

    /// Crops and resizes every image of an [N, C, H, W] batch; image n draws its window from a
    /// generator seeded with (seed, n), so results do not depend on batch composition or threads.
    public func apply(_ images: Tensor, seed: UInt64) throws -> Tensor {
        let s = try ImageBatchShape(of: images, op: "RandomResizedCrop")
        guard height > 0, width > 0 else {
            throw KaizenError.invalidArgument(name: "size", detail: "output must be positive, got \(height)x\(width)")
        }
        guard scale.lowerBound > 0, scale.upperBound <= 1, ratio.lowerBound > 0 else {
            throw KaizenError.invalidArgument(name: "scale/ratio", detail: "scale must lie in (0, 1] and ratio be positive")
        }
        let src = ImageKernels.source(images)
        let out = Tensor(uninitializedShape: [s.count, s.channels, height, width])
        let windows = (0..<s.count).map { n -> Window in
            var rng = RandomGenerator(seed: CounterHash.mix(seed, UInt64(n)))
            return sampleWindow(imageHeight: s.height, imageWidth: s.width, rng: &rng)
        }
        let i = UncheckedSendable(src.basePointer), o = UncheckedSendable(out.basePointer)
        let outH = height, outW = width
        Parallel.forRanges(s.count, costPerItem: s.channels * (s.planeSize + outH * outW) * 4) { range in
            for n in range {
                let win = windows[n]
                let horizontal = ResampleWeights(input: win.width, output: outW)
                let vertical = ResampleWeights(input: win.height, output: outH)
                var window = [Float](repeating: 0, count: win.height * win.width)
                var temp = [Float](repeating: 0, count: win.height * outW)
                for c in 0..<s.channels {
                    let plane = i.value + (n * s.channels + c) * s.planeSize
                    window.withUnsafeMutableBufferPointer { wb in
                        for y in 0..<win.height {
                            (wb.address + y * win.width).update(from: plane + (win.top + y) * s.width + win.left, count: win.width)
                        }
                        temp.withUnsafeMutableBufferPointer { tb in
                            ImageResize.resamplePlane(wb.address, inHeight: win.height, inWidth: win.width,
                                                      temp: tb.address, out: o.value + (n * s.channels + c) * outH * outW,
                                                      outHeight: outH, outWidth: outW, horizontal: horizontal, vertical: vertical)
                        }
                    }
                }
            }
        }
        return out
    }
}
