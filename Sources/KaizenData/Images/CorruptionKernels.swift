import Foundation

/// Plane-level building blocks of the corruption suite: separable Gaussian blur, bilinear backward
/// warping with a black border, and Poisson sampling.
enum CorruptionKernels {
    /// Normalised 1-D Gaussian taps of radius ceil(3 sigma).
    static func gaussianTaps(sigma: Double) -> [Float] {
        let radius = max(1, Int((3 * sigma).rounded(.up)))
        var taps = (-radius...radius).map { Foundation.exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let total = taps.reduce(0, +)
        taps = taps.map { $0 / total }
        return taps.map(Float.init)
    }

    /// Blurs one H x W plane in place with `taps` along both axes; borders repeat the edge pixel.
    static func blurPlane(_ plane: UnsafeMutablePointer<Float>, height: Int, width: Int, taps: [Float],
                          scratch: UnsafeMutablePointer<Float>) {
        let r = taps.count / 2
        taps.withUnsafeBufferPointer { k in
            for y in 0..<height {
                let row = plane + y * width, out = scratch + y * width
                for x in 0..<width {
                    var acc: Float = 0
                    for t in 0..<k.count { acc += k[t] * row[min(max(x + t - r, 0), width - 1)] }
                    out[x] = acc
                }
            }
            for y in 0..<height {
                let out = plane + y * width
                for x in 0..<width {
                    var acc: Float = 0
                    for t in 0..<k.count { acc += k[t] * scratch[min(max(y + t - r, 0), height - 1) * width + x] }
                    out[x] = acc
                }
            }
        }
    }

    /// out(y, x) = bilinear sample of `plane` at `source(x, y)` (zero outside the image).
    @inline(__always)
    static func sample(_ plane: UnsafePointer<Float>, height: Int, width: Int, x: Double, y: Double) -> Float {
        let x0 = Int(Foundation.floor(x)), y0 = Int(Foundation.floor(y))
        let fx = Float(x - Double(x0)), fy = Float(y - Double(y0))
        @inline(__always) func at(_ yy: Int, _ xx: Int) -> Float {
            (yy >= 0 && yy < height && xx >= 0 && xx < width) ? plane[yy * width + xx] : 0
        }
        let top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx
        let bottom = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx
        return top * (1 - fy) + bottom * fy
    }

    /// Warps a plane by the inverse affine map about the image centre:
    /// source = centre + m * (target - centre), with m = [a b; c d] acting on (x, y).
    static func affinePlane(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
                            height: Int, width: Int, m: (Double, Double, Double, Double)) {
        let cx = Double(width - 1) / 2, cy = Double(height - 1) / 2
        for y in 0..<height {
            let dy = Double(y) - cy
            for x in 0..<width {
                let dx = Double(x) - cx
                output[y * width + x] = sample(input, height: height, width: width,
                                               x: cx + m.0 * dx + m.1 * dy, y: cy + m.2 * dx + m.3 * dy)
            }
        }
    }

    /// Poisson(mean) draw: Knuth's product method for small means, a rounded normal above 30.
    static func poisson(_ mean: Double, rng: inout RandomGenerator) -> Double {
        if mean <= 0 { return 0 }
        if mean > 30 { return max(0, (mean + mean.squareRoot() * rng.nextNormal()).rounded()) }
        let limit = Foundation.exp(-mean)
        var k = 0.0, p = rng.nextDouble()
        while p > limit { k += 1; p *= rng.nextDouble() }
        return k
    }
}
