import Foundation

/// Synthetic distribution shifts in the spirit of MNIST-C (Mu & Gilmer 2019) and ImageNet-C
/// (Hendrycks & Dietterich 2019), applied to [N, C, H, W] images in [0, 1] before normalisation.
/// Deterministic given the seed: image n draws from a generator seeded with (seed, n), so results
/// do not depend on the thread count or on the other images of the batch. Outputs are clamped to [0, 1].
///
/// Lengths in pixels are for 28 x 28 images and scale with min(H, W) / 28.
///
/// | corruption         | parameter                                   | severity 1 | 2     | 3     |
/// |--------------------|---------------------------------------------|-----------:|------:|------:|
/// | `gaussianNoise`    | noise std added per pixel                   | 0.08       | 0.12  | 0.18  |
/// | `shotNoise`        | photons per unit intensity, x = Poisson(λx)/λ | 60       | 25    | 12    |
/// | `impulseNoise`     | fraction of pixels set to 0 or 1 (salt & pepper, per channel) | 0.03 | 0.06 | 0.09 |
/// | `gaussianBlur`     | blur sigma (px)                             | 0.6        | 1.0   | 1.5   |
/// | `contrast`         | factor c, x = (x − mean) c + mean (mean per image) | 0.4 | 0.3   | 0.2   |
/// | `brightness`       | value added to every pixel                  | 0.1        | 0.2   | 0.3   |
/// | `rotation`         | angle (degrees), random sign per image      | 15         | 30    | 45    |
/// | `shear`            | horizontal shear factor, random sign        | 0.2        | 0.4   | 0.6   |
/// | `elasticTransform` | (max displacement px, smoothing sigma px)   | (1.5, 3)   | (2.5, 3) | (3.5, 3) |
/// | `pixelate`         | downsampling factor (area down, nearest up) | 0.6        | 0.45  | 0.3   |
/// | `inversion`        | blend t, x = (1 − t) x + t (1 − x)          | 0.4        | 0.7   | 1.0   |
public enum Corruption: String, CaseIterable, Sendable {
    case gaussianNoise = "gaussian-noise", shotNoise = "shot-noise", impulseNoise = "impulse-noise"
    case gaussianBlur = "gaussian-blur", contrast, brightness, rotation, shear
    case elasticTransform = "elastic-transform", pixelate, inversion

    /// The table's parameter for a severity in 1...3 (for elastic: the displacement).
    public func parameter(severity: Int) throws -> Double {
        guard (1...3).contains(severity) else {
            throw KaizenError.invalidArgument(name: "severity", detail: "\(rawValue): severity must be 1, 2 or 3, got \(severity)")
        }
        let table: [Double]
        switch self {
        case .gaussianNoise: table = [0.08, 0.12, 0.18]
        case .shotNoise: table = [60, 25, 12]
        case .impulseNoise: table = [0.03, 0.06, 0.09]
        case .gaussianBlur: table = [0.6, 1.0, 1.5]
        case .contrast: table = [0.4, 0.3, 0.2]
        case .brightness: table = [0.1, 0.2, 0.3]
        case .rotation: table = [15, 30, 45]
        case .shear: table = [0.2, 0.4, 0.6]
        case .elasticTransform: table = [1.5, 2.5, 3.5]
        case .pixelate: table = [0.6, 0.45, 0.3]
        case .inversion: table = [0.4, 0.7, 1.0]
        }
        return table[severity - 1]
    }

    static let elasticSigma = 3.0

    /// The corrupted copy of `images` (values expected in [0, 1]).
    public func apply(_ images: Tensor, severity: Int, seed: UInt64) throws -> Tensor {
        let s = try ImageBatchShape(of: images, op: "Corruption.\(rawValue)")
        let p = try parameter(severity: severity)
        guard s.height > 0, s.width > 0 else { return Tensor(uninitializedShape: s.dims) }
        if self == .pixelate { return try pixelate(images, shape: s, factor: p) }
        let src = ImageKernels.source(images)
        let out = Tensor(uninitializedShape: s.dims)
        let i = UncheckedSendable(src.basePointer), o = UncheckedSendable(out.basePointer)
        let scale = Double(min(s.height, s.width)) / 28
        let kind = self
        Parallel.forRanges(s.count, costPerItem: s.imageSize * 20) { range in
            var scratch = [Float](repeating: 0, count: 3 * s.planeSize)
            scratch.withUnsafeMutableBufferPointer { sb in
                for n in range {
                    var rng = RandomGenerator(seed: CounterHash.mix(seed, UInt64(n)))
                    kind.corruptImage(i.value + n * s.imageSize, o.value + n * s.imageSize, shape: s,
                                      parameter: p, pixelScale: scale, rng: &rng, scratch: sb.address)
                }
            }
        }
        let o2 = out.basePointer
        for k in 0..<out.count { o2[k] = min(max(o2[k], 0), 1) }
        return out
    }

    private func corruptImage(_ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>,
                              shape s: ImageBatchShape, parameter p: Double, pixelScale: Double,
                              rng: inout RandomGenerator, scratch: UnsafeMutablePointer<Float>) {
        let n = s.imageSize
        switch self {
        case .gaussianNoise:
            for k in 0..<n { output[k] = input[k] + Float(p * rng.nextNormal()) }
        case .shotNoise:
            for k in 0..<n { output[k] = Float(CorruptionKernels.poisson(Double(max(input[k], 0)) * p, rng: &rng) / p) }
        case .impulseNoise:
            for k in 0..<n {
                let u = rng.nextDouble()
                output[k] = u < p / 2 ? 0 : (u < p ? 1 : input[k])
            }
        case .gaussianBlur:
            let taps = CorruptionKernels.gaussianTaps(sigma: p * pixelScale)
            output.update(from: input, count: n)
            for c in 0..<s.channels {
                CorruptionKernels.blurPlane(output + c * s.planeSize, height: s.height, width: s.width, taps: taps, scratch: scratch)
            }
        case .contrast:
            var total: Float = 0
            for k in 0..<n { total += input[k] }
            let mean = total / Float(n), c = Float(p)
            for k in 0..<n { output[k] = (input[k] - mean) * c + mean }
        case .brightness:
            for k in 0..<n { output[k] = input[k] + Float(p) }
        case .inversion:
            let t = Float(p)
            for k in 0..<n { output[k] = (1 - t) * input[k] + t * (1 - input[k]) }
        case .rotation:
            let angle = (rng.nextDouble() < 0.5 ? -p : p) * Double.pi / 180
            let (cs, sn) = (Foundation.cos(angle), Foundation.sin(angle))
            for c in 0..<s.channels {
                CorruptionKernels.affinePlane(input + c * s.planeSize, output + c * s.planeSize,
                                              height: s.height, width: s.width, m: (cs, sn, -sn, cs))
            }
        case .shear:
            let k = rng.nextDouble() < 0.5 ? -p : p
            for c in 0..<s.channels {
                CorruptionKernels.affinePlane(input + c * s.planeSize, output + c * s.planeSize,
                                              height: s.height, width: s.width, m: (1, k, 0, 1))
            }
        case .elasticTransform:
            elastic(input, output, shape: s, displacement: p * pixelScale, sigma: Corruption.elasticSigma * pixelScale,
                    rng: &rng, scratch: scratch)
        case .pixelate:
            output.update(from: input, count: n)  // handled batch-wise in `pixelate`
        }
    }

    /// Simard et al. (2003): uniform random displacement fields, Gaussian-smoothed, rescaled so the
    /// largest displacement is `displacement` pixels; one field per image, shared by its channels.
    private func elastic(_ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>,
                         shape s: ImageBatchShape, displacement: Double, sigma: Double,
                         rng: inout RandomGenerator, scratch: UnsafeMutablePointer<Float>) {
        let m = s.planeSize, dx = scratch, dy = scratch + m, tmp = scratch + 2 * m
        for k in 0..<m { dx[k] = Float(2 * rng.nextDouble() - 1) }
        for k in 0..<m { dy[k] = Float(2 * rng.nextDouble() - 1) }
        let taps = CorruptionKernels.gaussianTaps(sigma: sigma)
        CorruptionKernels.blurPlane(dx, height: s.height, width: s.width, taps: taps, scratch: tmp)
        CorruptionKernels.blurPlane(dy, height: s.height, width: s.width, taps: taps, scratch: tmp)
        var peak: Float = 1e-12
        for k in 0..<m { peak = max(peak, (dx[k] * dx[k] + dy[k] * dy[k]).squareRoot()) }
        let gain = Double(displacement) / Double(peak)
        for c in 0..<s.channels {
            let plane = UnsafePointer(input + c * m), out = output + c * m
            for y in 0..<s.height {
                for x in 0..<s.width {
                    let k = y * s.width + x
                    out[k] = CorruptionKernels.sample(plane, height: s.height, width: s.width,
                                                      x: Double(x) + gain * Double(dx[k]), y: Double(y) + gain * Double(dy[k]))
                }
            }
        }
    }

    /// Area-average down to factor x size, then nearest-neighbour back up to the original size.
    private func pixelate(_ images: Tensor, shape s: ImageBatchShape, factor: Double) throws -> Tensor {
        let h = max(1, Int((Double(s.height) * factor).rounded())), w = max(1, Int((Double(s.width) * factor).rounded()))
        let small = try ImageResize.bilinear(images, height: h, width: w)
        let out = Tensor(uninitializedShape: s.dims)
        let i = UncheckedSendable(small.basePointer), o = UncheckedSendable(out.basePointer)
        ImageKernels.forEachPlane(s.planes, costPerPlane: s.planeSize) { p in
            let from = i.value + p * h * w, to = o.value + p * s.planeSize
            for y in 0..<s.height {
                let sy = min(y * h / s.height, h - 1)
                for x in 0..<s.width { to[y * s.width + x] = min(max(from[sy * w + min(x * w / s.width, w - 1)], 0), 1) }
            }
        }
        return out
    }
}
