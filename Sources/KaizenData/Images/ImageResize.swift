import Foundation

/// Bilinear resizing of [N, C, H, W] batches with PyTorch's semantics:
/// `F.interpolate(mode: "bilinear", align_corners: false, antialias: true)`. When shrinking, the
/// triangle filter is stretched by the scale factor so every input pixel contributes (antialiasing);
/// when enlarging this reduces to plain `align_corners=false` bilinear interpolation.
public enum ImageResize {
    /// Resizes every plane to `height` x `width`. Not differentiable (data preparation only).
    public static func bilinear(_ images: Tensor, height: Int, width: Int) throws -> Tensor {
        let s = try ImageBatchShape(of: images, op: "ImageResize.bilinear")
        guard height > 0, width > 0 else {
            throw KaizenError.invalidArgument(name: "size", detail: "resize target must be positive, got \(height)x\(width)")
        }
        guard s.height > 0, s.width > 0 else {
            throw KaizenError.invalidArgument(name: "images", detail: "cannot resize empty planes \(Shape.describe(s.dims))")
        }
        let src = ImageKernels.source(images)
        if s.height == height && s.width == width { return copy(src) }
        let horizontal = ResampleWeights(input: s.width, output: width)
        let vertical = ResampleWeights(input: s.height, output: height)
        let out = Tensor(uninitializedShape: [s.count, s.channels, height, width])
        let inBox = UncheckedSendable(src.basePointer), outBox = UncheckedSendable(out.basePointer)
        let cost = s.height * width * horizontal.maxTaps + height * width * vertical.maxTaps
        Parallel.forRanges(s.planes, costPerItem: cost) { range in
            // One row-resampled plane buffer per chunk: [H_in, W_out].
            var temp = [Float](repeating: 0, count: s.height * width)
            temp.withUnsafeMutableBufferPointer { t in
                for p in range {
                    resamplePlane(inBox.value + p * s.planeSize, inHeight: s.height, inWidth: s.width,
                                  temp: t.address, out: outBox.value + p * height * width,
                                  outHeight: height, outWidth: width, horizontal: horizontal, vertical: vertical)
                }
            }
        }
        return out
    }

    /// Square convenience: resize to `size` x `size`.
    public static func bilinear(_ images: Tensor, size: Int) throws -> Tensor {
        try bilinear(images, height: size, width: size)
    }

    static func resamplePlane(_ input: UnsafeMutablePointer<Float>, inHeight: Int, inWidth: Int,
                              temp: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>,
                              outHeight: Int, outWidth: Int,
                              horizontal: ResampleWeights, vertical: ResampleWeights) {
        horizontal.weights.withUnsafeBufferPointer { hw in
            for y in 0..<inHeight {
                let row = input + y * inWidth, dst = temp + y * outWidth
                for x in 0..<outWidth {
                    let start = horizontal.starts[x], taps = horizontal.counts[x], w = x * horizontal.maxTaps
                    var acc: Float = 0
                    for k in 0..<taps { acc += row[start + k] * hw[w + k] }
                    dst[x] = acc
                }
            }
        }
        vertical.weights.withUnsafeBufferPointer { vw in
            for y in 0..<outHeight {
                let start = vertical.starts[y], taps = vertical.counts[y], w = y * vertical.maxTaps
                let dst = out + y * outWidth
                for x in 0..<outWidth { dst[x] = 0 }
                for k in 0..<taps {
                    let weight = vw[w + k], src = temp + (start + k) * outWidth
                    for x in 0..<outWidth { dst[x] += weight * src[x] }
                }
            }
        }
    }

    private static func copy(_ t: Tensor) -> Tensor {
        let out = Tensor(uninitializedShape: t.shape)
        out.basePointer.update(from: t.basePointer, count: t.count)
        return out
    }
}

/// Per-output-pixel taps of the (possibly stretched) triangle filter along one axis, normalised to
/// sum to one, exactly as PyTorch's antialiased interpolation computes them.
struct ResampleWeights: Sendable {
    let starts: [Int]
    let counts: [Int]
    let maxTaps: Int
    /// `maxTaps` weights per output pixel (unused tail slots are zero).
    let weights: [Float]

    init(input: Int, output: Int) {
        let scale = Double(input) / Double(output)
        let support = scale >= 1 ? scale : 1.0  // bilinear filter half-width 1, stretched when shrinking
        let invScale = scale >= 1 ? 1 / scale : 1.0
        let maxTaps = Int((support * 2).rounded(.up)) + 1
        var starts = [Int](repeating: 0, count: output), counts = starts
        var weights = [Float](repeating: 0, count: output * maxTaps)
        for i in 0..<output {
            let center = scale * (Double(i) + 0.5)
            let lo = max(Int(center - support + 0.5), 0)
            let hi = min(Int(center + support + 0.5), input)
            let n = min(hi - lo, maxTaps)
            var w = [Double](repeating: 0, count: n), total = 0.0
            for j in 0..<n {
                w[j] = max(0, 1 - abs((Double(j + lo) - center + 0.5) * invScale))
                total += w[j]
            }
            starts[i] = lo; counts[i] = n
            for j in 0..<n { weights[i * maxTaps + j] = Float(total > 0 ? w[j] / total : 0) }
        }
        self.starts = starts; self.counts = counts; self.maxTaps = maxTaps; self.weights = weights
    }
}
