/// For every float vector width the kernels use (SIMD8; SIMD16 in the AVX-512 product kernels);
/// always inlined, so it compiles to the concrete vector instructions.
extension SIMD where Scalar == Float {
    /// `self += a * b`, fused into one instruction (and one rounding) when the build targets a CPU
    /// with FMA (every arm64 CPU; on x86-64, scripts/swift-cpu-flags.sh defines KAIZEN_FMA). Otherwise it stays a
    /// multiply and an add, because on a baseline x86-64 build a fused multiply-add is a libm call
    /// per lane.
    @inline(__always)
    mutating func multiplyAdd(_ a: Self, _ b: Self) {
        #if KAIZEN_FMA || arch(arm64)
        addProduct(a, b)
        #else
        self += a * b
        #endif
    }

    /// `a * b + c`, fused under the same condition as `multiplyAdd` (polynomial evaluation).
    @inlinable @inline(__always)
    static func fused(_ a: Self, _ b: Self, _ c: Self) -> Self {
        #if KAIZEN_FMA || arch(arm64)
        c.addingProduct(a, b)
        #else
        a * b + c
        #endif
    }
}
