/// Vectorised transcendental functions on SIMD8<Float> (libm's scalar expf/erff dominate
/// activations and softmax otherwise). Accuracy: exp within ~2 ulp over the float range; erf within
/// 1.5e-7 absolute (Abramowitz & Stegun 7.1.26 form on top of the vector exp), tested against libm.
public enum VectorMath {
    public typealias V = SIMD8<Float>

    /// e^x: x = n ln2 + r with |r| <= ln2/2, e^r by a degree-6 polynomial, 2^n through the exponent bits.
    @inline(__always)
    public static func exp(_ x: V) -> V {
        let clamped = x.clamped(lowerBound: V(repeating: -87.33654), upperBound: V(repeating: 88.72283))
        let n = (clamped * 1.44269504088896341).rounded(.toNearestOrEven)
        var r = clamped - n * 0.693359375
        r = r + n * 2.12194440e-4
        var p = V(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let er = p * r * r + r + 1
        let bits = (SIMD8<Int32>(n, rounding: .toNearestOrEven) &+ 127) &<< 23
        return er * unsafeBitCast(bits, to: V.self)
    }

    /// erf(x) = sign(x) (1 - t poly(t) e^{-x^2}), t = 1 / (1 + p|x|).
    @inline(__always)
    public static func erf(_ x: V) -> V {
        let a = x.replacing(with: -x, where: x .< 0)
        let t = 1 / (1 + 0.3275911 * a)
        var poly = V(repeating: 1.061405429)
        poly = poly * t - 1.453152027
        poly = poly * t + 1.421413741
        poly = poly * t - 0.284496736
        poly = poly * t + 0.254829592
        let y = 1 - poly * t * exp(-a * a)
        return y.replacing(with: -y, where: x .< 0)
    }

    /// Applies `f` to n contiguous floats, eight at a time, with a scalar-padded tail.
    @inline(__always)
    public static func map(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int, _ f: (V) -> V) {
        var i = 0
        let rs = UnsafeRawPointer(src), rd = UnsafeMutableRawPointer(dst)
        while i + 8 <= n {
            rd.storeBytes(of: f(rs.loadUnaligned(fromByteOffset: i * 4, as: V.self)), toByteOffset: i * 4, as: V.self)
            i += 8
        }
        if i < n {
            var tail = V()
            for j in 0..<(n - i) { tail[j] = src[i + j] }
            let out = f(tail)
            for j in 0..<(n - i) { dst[i + j] = out[j] }
        }
    }
}
