/// Vectorised exp and erf for the elementwise kernels (libm's scalar `expf`/`erff` dominate GELU,
/// softmax and sigmoid). Sixteen lanes at a time in an AVX-512 build (`KAIZEN_AVX512`), eight
/// otherwise; the polynomials use fused multiply-adds when the build targets a CPU with FMA
/// (`SIMD.fused`), plain mul/add otherwise. Accuracy against libm: exp to
/// about 2 ulp, erf to about 2e-7 absolute; both are checked in VectorMathTests.
public enum VectorMath {
    public typealias Vector = WideFloatVector
    /// Same lanes, Int32 (the bits of the floats, for 2^n and |x|).
    public typealias IntVector = Vector.MaskStorage
    /// Floats per vector.
    @inlinable public static var lanes: Int { Vector.scalarCount }

    /// e^x with correct overflow (inf), underflow (0, subnormals kept) and NaN propagation.
    @_transparent
    public static func exp(_ x: Vector) -> Vector {
        let upper: Float = 88.72283935546875  // ln(FLT_MAX)
        var result = expInRange(capped(floored(x, -104), upper))
        // Exactly 0 below the clamp, so masked (-inf) logits get exactly zero probability.
        result.replace(with: 0, where: x .<= -104)
        result.replace(with: Float.infinity, where: x .> upper)
        result.replace(with: x, where: x .!= x)
        return result
    }

    /// e^x for x in [-104, 88.7] (or NaN, which comes out NaN): no clamps or selects, for callers
    /// whose argument is in range by construction (GELU's e^(-z^2) with z <= 10).
    @_transparent @usableFromInline
    static func expInRange(_ x: Vector) -> Vector {
        // n = round(x / ln 2) by the 1.5 * 2^23 trick (no SSE4.1 rounding on the baseline target).
        let magic = Vector(repeating: 12_582_912)
        let t = x * 1.44269504088896341 + magic
        let n = t - magic
        // Cody-Waite: ln 2 in two parts so that n * hi is exact.
        let r = x - n * 0.693359375 - n * -2.12194440e-4
        var p = Vector(repeating: 1.9875691500e-4)
        p = .fused(p, r, Vector(repeating: 1.3981999507e-3))
        p = .fused(p, r, Vector(repeating: 8.3334519073e-3))
        p = .fused(p, r, Vector(repeating: 4.1665795894e-2))
        p = .fused(p, r, Vector(repeating: 1.6666665459e-1))
        p = .fused(p, r, Vector(repeating: 5.0000001201e-1))
        let y = p * (r * r) + r + 1
        // 2^n as two halves so that n in [-150, 128] needs no special case.
        let ni = unsafeBitCast(t, to: IntVector.self) &- unsafeBitCast(magic, to: IntVector.self)
        let n1 = ni &>> 1, n2 = ni &- n1
        let s1 = unsafeBitCast((n1 &+ 127) &<< 23, to: Vector.self)
        let s2 = unsafeBitCast((n2 &+ 127) &<< 23, to: Vector.self)
        return y * s1 * s2
    }

    /// erfc(|z|) = 1 - erf(|z|) for z >= 0 given e^(-z^2) (Abramowitz and Stegun 7.1.26, error 1.5e-7).
    @inlinable @inline(__always)
    static func erfcOfAbs(_ z: Vector, expMinusZ2 e: Vector) -> Vector {
        let t = 1 / (z * 0.3275911 + 1)
        var p = Vector(repeating: 1.061405429)
        p = .fused(p, t, Vector(repeating: -1.453152027))
        p = .fused(p, t, Vector(repeating: 1.421413741))
        p = .fused(p, t, Vector(repeating: -0.284496736))
        p = .fused(p, t, Vector(repeating: 0.254829592))
        return p * t * e
    }

    /// The error function.
    @inlinable @inline(__always)
    public static func erf(_ x: Vector) -> Vector {
        let z = capped(abs(x), 10)
        let q = erfcOfAbs(z, expMinusZ2: expInRange(-(z * z)))
        var r = 1 - q
        r.replace(with: -r, where: x .< 0)
        r.replace(with: x, where: x .!= x)
        return r
    }

    /// min(x, c) and max(x, c) as compare + select: the stdlib's `pointwiseMin/Max` run lane by
    /// lane with NaN branches, while `replacing(with:where:)` on a compare mask vectorises.
    /// NaN lanes pass through unchanged.
    @inlinable @inline(__always)
    static func capped(_ x: Vector, _ c: Float) -> Vector { x.replacing(with: c, where: x .> c) }

    @inlinable @inline(__always)
    static func floored(_ x: Vector, _ c: Float) -> Vector { x.replacing(with: c, where: x .< c) }

    @inlinable @inline(__always)
    static func abs(_ x: Vector) -> Vector {
        unsafeBitCast(unsafeBitCast(x, to: IntVector.self) & 0x7fff_ffff, to: Vector.self)
    }

    /// Phi(x), the standard normal CDF, and e^(-x^2/2). For x < 0 Phi comes straight from erfc,
    /// so the negative tail has no 1 + erf cancellation (absolute error stays ~1e-7).
    @inlinable @inline(__always)
    static func normalCDF(_ x: Vector) -> (cdf: Vector, gauss: Vector) {
        let z = capped(abs(x) * 0.70710678118654752, 10)
        let e = expInRange(-(z * z))
        let half = erfcOfAbs(z, expMinusZ2: e) * 0.5
        var cdf = 1 - half
        cdf.replace(with: half, where: x .< 0)
        return (cdf, e)
    }

    /// Maximum of n > 0 contiguous floats; NaN if any value is NaN. Compare + select keeps this
    /// vectorised (the stdlib's `pointwiseMax` runs lane by lane).
    @inlinable
    public static func max(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        let raw = UnsafeRawPointer(p)
        var i = 0
        var m = -Float.infinity
        if n >= 2 * lanes {
            var a0 = Vector(repeating: -.infinity), a1 = a0
            while i + 2 * lanes <= n {
                let v0 = raw.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
                let v1 = raw.loadUnaligned(fromByteOffset: (i + lanes) * 4, as: Vector.self)
                a0.replace(with: v0, where: (v0 .> a0) .| (v0 .!= v0))
                a1.replace(with: v1, where: (v1 .> a1) .| (v1 .!= v1))
                i += 2 * lanes
            }
            a0.replace(with: a1, where: (a1 .> a0) .| (a1 .!= a1))
            for j in 0..<lanes where a0[j] > m || a0[j].isNaN { m = a0[j]; if m.isNaN { return m } }
        }
        while i < n { if p[i] > m || p[i].isNaN { m = p[i] }; i += 1 }
        return m
    }

    /// Runs `F.apply` over n floats: whole vectors, then the tail through a zero-padded vector.
    /// A type rather than a closure: with 16-lane vectors the optimiser stopped inlining closures
    /// here and merged the loops into one calling through a pointer (exp 43 -> 7 GFLOP/s).
    @inline(__always)
    static func map<F: VectorFunction>(_ x: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ n: Int, _: F.Type) {
        let rx = UnsafeRawPointer(x), ro = UnsafeMutableRawPointer(o)
        var i = 0
        while i + lanes <= n {
            ro.storeBytes(of: F.apply(rx.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)), toByteOffset: i * 4, as: Vector.self)
            i += lanes
        }
        if i < n {
            var v = Vector()
            for j in 0..<(n - i) { v[j] = x[i + j] }
            let y = F.apply(v)
            for j in 0..<(n - i) { o[i + j] = y[j] }
        }
    }

    /// o = e^x over n floats.
    public static func exp(_ x: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ n: Int) {
        map(x, o, n, ExpFunction.self)
    }

    /// o = erf(x) over n floats.
    public static func erf(_ x: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ n: Int) {
        map(x, o, n, ErfFunction.self)
    }

    /// o = x Phi(x) (exact GELU) over n floats.
    public static func gelu(_ x: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ n: Int) {
        map(x, o, n, GELUFunction.self)
    }

    /// o = g (Phi(x) + x phi(x)), the GELU input gradient.
    public static func geluBackward(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                                    _ o: UnsafeMutablePointer<Float>, _ n: Int) {
        let rg = UnsafeRawPointer(g)
        var i = 0
        @inline(__always) func derivative(_ v: Vector) -> Vector {
            let (cdf, gauss) = normalCDF(v)
            return cdf + v * gauss * 0.3989422804014327
        }
        while i + lanes <= n {
            let d = derivative(UnsafeRawPointer(x).loadUnaligned(fromByteOffset: i * 4, as: Vector.self))
            let gv = rg.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
            UnsafeMutableRawPointer(o).storeBytes(of: gv * d, toByteOffset: i * 4, as: Vector.self)
            i += lanes
        }
        if i < n {
            var v = Vector()
            for j in 0..<(n - i) { v[j] = x[i + j] }
            let d = derivative(v)
            for j in 0..<(n - i) { o[i + j] = g[i + j] * d[j] }
        }
    }

    /// o = 1 / (1 + e^-x) over n floats.
    public static func sigmoid(_ x: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ n: Int) {
        map(x, o, n, SigmoidFunction.self)
    }

    /// o = x / (1 + e^-x) over n floats.
    public static func silu(_ x: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ n: Int) {
        map(x, o, n, SiLUFunction.self)
    }
}

/// A function of one vector for `VectorMath.map`.
protocol VectorFunction {
    static func apply(_ v: VectorMath.Vector) -> VectorMath.Vector
}

enum ExpFunction: VectorFunction {
    @inline(__always) static func apply(_ v: VectorMath.Vector) -> VectorMath.Vector { VectorMath.exp(v) }
}

enum ErfFunction: VectorFunction {
    @inline(__always) static func apply(_ v: VectorMath.Vector) -> VectorMath.Vector { VectorMath.erf(v) }
}

enum GELUFunction: VectorFunction {
    @inline(__always) static func apply(_ v: VectorMath.Vector) -> VectorMath.Vector { v * VectorMath.normalCDF(v).cdf }
}

enum SigmoidFunction: VectorFunction {
    @inline(__always) static func apply(_ v: VectorMath.Vector) -> VectorMath.Vector { 1 / (1 + VectorMath.exp(-v)) }
}

enum SiLUFunction: VectorFunction {
    @inline(__always) static func apply(_ v: VectorMath.Vector) -> VectorMath.Vector { v / (1 + VectorMath.exp(-v)) }
}
