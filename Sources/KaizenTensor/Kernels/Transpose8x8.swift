/// In-register transpose of an 8x8 float block, for moving between eight NCHW planes and the
/// channel-interleaved layout of `DepthwiseChannelBlock` eight values at a time instead of one.
///
/// Three rounds of "unzip" (even and odd lanes of two concatenated rows) rotate the six index bits
/// (row r2 r1 r0, column c2 c1 c0) right by one each; three rotations swap rows and columns.
enum Transpose8x8 {
    @inline(__always)
    static func transpose(_ m: inout (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>,
                                      SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)) {
        for _ in 0..<3 {
            let p0 = SIMD16(lowHalf: m.0, highHalf: m.1), p1 = SIMD16(lowHalf: m.2, highHalf: m.3)
            let p2 = SIMD16(lowHalf: m.4, highHalf: m.5), p3 = SIMD16(lowHalf: m.6, highHalf: m.7)
            m = (p0.evenHalf, p1.evenHalf, p2.evenHalf, p3.evenHalf, p0.oddHalf, p1.oddHalf, p2.oddHalf, p3.oddHalf)
        }
    }

    /// Reads rows `src + r * srcStride` (8 floats each), writes their transpose as rows
    /// `dst + c * dstStride`.
    @inline(__always)
    static func copy(from src: UnsafePointer<Float>, srcStride: Int, to dst: UnsafeMutablePointer<Float>, dstStride: Int) {
        let s = UnsafeRawPointer(src), d = UnsafeMutableRawPointer(dst)
        let b = srcStride &* 4
        var m = (s.loadUnaligned(as: SIMD8<Float>.self),
                 s.loadUnaligned(fromByteOffset: b, as: SIMD8<Float>.self),
                 s.loadUnaligned(fromByteOffset: 2 &* b, as: SIMD8<Float>.self),
                 s.loadUnaligned(fromByteOffset: 3 &* b, as: SIMD8<Float>.self),
                 s.loadUnaligned(fromByteOffset: 4 &* b, as: SIMD8<Float>.self),
                 s.loadUnaligned(fromByteOffset: 5 &* b, as: SIMD8<Float>.self),
                 s.loadUnaligned(fromByteOffset: 6 &* b, as: SIMD8<Float>.self),
                 s.loadUnaligned(fromByteOffset: 7 &* b, as: SIMD8<Float>.self))
        transpose(&m)
        let e = dstStride &* 4
        d.storeBytes(of: m.0, as: SIMD8<Float>.self)
        d.storeBytes(of: m.1, toByteOffset: e, as: SIMD8<Float>.self)
        d.storeBytes(of: m.2, toByteOffset: 2 &* e, as: SIMD8<Float>.self)
        d.storeBytes(of: m.3, toByteOffset: 3 &* e, as: SIMD8<Float>.self)
        d.storeBytes(of: m.4, toByteOffset: 4 &* e, as: SIMD8<Float>.self)
        d.storeBytes(of: m.5, toByteOffset: 5 &* e, as: SIMD8<Float>.self)
        d.storeBytes(of: m.6, toByteOffset: 6 &* e, as: SIMD8<Float>.self)
        d.storeBytes(of: m.7, toByteOffset: 7 &* e, as: SIMD8<Float>.self)
    }
}
