/// Raw-buffer kernels on contiguous Float32 data. No autograd here: ops call these and record.
public enum Kernels {
    /// Elementwise sum of two same-shape tensors (used for gradient accumulation).
    public static func add(_ a: Tensor, _ b: Tensor) -> Tensor {
        let a = a.contiguousValues(), b = b.contiguousValues()
        let out = Tensor(uninitializedShape: a.shape)
        let pa = a.basePointer, pb = b.basePointer, po = out.basePointer
        for i in 0..<a.count { po[i] = pa[i] + pb[i] }
        return out
    }

    /// Sum of `n` contiguous floats with several SIMD accumulators (reductions do not auto-vectorise).
    @inlinable
    public static func sum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>()
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 32 <= n {
            acc0 += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            acc1 += raw.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
            i += 32
        }
        var s = (acc0 + acc1).sum()
        while i < n { s += p[i]; i += 1 }
        return s
    }

    /// Dot product of two contiguous float vectors (SIMD accumulators).
    @inlinable
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>()
        var i = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while i + 32 <= n {
            acc0 += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            acc1 += ra.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
                * rb.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
            i += 32
        }
        var s = (acc0 + acc1).sum()
        while i < n { s += a[i] * b[i]; i += 1 }
        return s
    }

    /// Maximum of `n` contiguous floats (n > 0); NaN propagates. (The standard library's
    /// pointwiseMax compiles to scalar code with NaN branches, so the vector kernel does this.)
    @inlinable
    public static func max(_ p: UnsafePointer<Float>, _ n: Int) -> Float { VectorMath.max(p, n) }
}
