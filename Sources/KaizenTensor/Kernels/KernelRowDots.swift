/// The weight-gradient dot products of one kernel row of a depthwise conv, eight channels per
/// SIMD8 lane set: for each tap j of the row, sum over the output pixels p of
/// gradient[p] * source[bases[p] + rowOffset + j * tapStep] (byte offsets into a padded block of
/// 8-channel pixels). Pixels go in pairs, in raster order across row ends, with one accumulator
/// per (tap, pair member): 6 independent chains for 3 taps, 10 for 5, so the multiply-adds do not
/// wait on each other, and each gradient load serves the whole row of taps.
struct KernelRowDots {
    let source: UnsafeRawPointer
    let gradient: UnsafeRawPointer
    let bases: UnsafePointer<Int>
    let pixels: Int
    let tapStep: Int

    @inline(__always) private func load(_ base: UnsafeRawPointer, _ offset: Int) -> SIMD8<Float> {
        base.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
    }

    @inline(__always) private func add(_ v: SIMD8<Float>, into acc: UnsafeMutableRawPointer, tap: Int) {
        acc.storeBytes(of: load(UnsafeRawPointer(acc), tap * 32) + v, toByteOffset: tap * 32, as: SIMD8<Float>.self)
    }

    /// Adds the three taps' sums to acc[0..<3] (SIMD8 each).
    func addThree(rowOffset: Int, into acc: UnsafeMutableRawPointer) {
        let d = tapStep
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>()
        var b0 = SIMD8<Float>(), b1 = SIMD8<Float>(), b2 = SIMD8<Float>()
        var p = 0
        while p + 2 <= pixels {
            let g0 = load(gradient, p * 32), g1 = load(gradient, p * 32 + 32)
            let s0 = bases[p] + rowOffset, s1 = bases[p + 1] + rowOffset
            a0.multiplyAdd(g0, load(source, s0)); a1.multiplyAdd(g0, load(source, s0 + d)); a2.multiplyAdd(g0, load(source, s0 + 2 * d))
            b0.multiplyAdd(g1, load(source, s1)); b1.multiplyAdd(g1, load(source, s1 + d)); b2.multiplyAdd(g1, load(source, s1 + 2 * d))
            p += 2
        }
        if p < pixels {
            let g0 = load(gradient, p * 32), s0 = bases[p] + rowOffset
            a0.multiplyAdd(g0, load(source, s0)); a1.multiplyAdd(g0, load(source, s0 + d)); a2.multiplyAdd(g0, load(source, s0 + 2 * d))
        }
        add(a0 + b0, into: acc, tap: 0); add(a1 + b1, into: acc, tap: 1); add(a2 + b2, into: acc, tap: 2)
    }

    /// Adds the five taps' sums to acc[0..<5] (SIMD8 each).
    func addFive(rowOffset: Int, into acc: UnsafeMutableRawPointer) {
        let d = tapStep
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>(), a4 = SIMD8<Float>()
        var b0 = SIMD8<Float>(), b1 = SIMD8<Float>(), b2 = SIMD8<Float>(), b3 = SIMD8<Float>(), b4 = SIMD8<Float>()
        var p = 0
        while p + 2 <= pixels {
            let g0 = load(gradient, p * 32), g1 = load(gradient, p * 32 + 32)
            let s0 = bases[p] + rowOffset, s1 = bases[p + 1] + rowOffset
            a0.multiplyAdd(g0, load(source, s0)); a1.multiplyAdd(g0, load(source, s0 + d))
            a2.multiplyAdd(g0, load(source, s0 + 2 * d)); a3.multiplyAdd(g0, load(source, s0 + 3 * d))
            a4.multiplyAdd(g0, load(source, s0 + 4 * d))
            b0.multiplyAdd(g1, load(source, s1)); b1.multiplyAdd(g1, load(source, s1 + d))
            b2.multiplyAdd(g1, load(source, s1 + 2 * d)); b3.multiplyAdd(g1, load(source, s1 + 3 * d))
            b4.multiplyAdd(g1, load(source, s1 + 4 * d))
            p += 2
        }
        if p < pixels {
            let g0 = load(gradient, p * 32), s0 = bases[p] + rowOffset
            a0.multiplyAdd(g0, load(source, s0)); a1.multiplyAdd(g0, load(source, s0 + d))
            a2.multiplyAdd(g0, load(source, s0 + 2 * d)); a3.multiplyAdd(g0, load(source, s0 + 3 * d))
            a4.multiplyAdd(g0, load(source, s0 + 4 * d))
        }
        add(a0 + b0, into: acc, tap: 0); add(a1 + b1, into: acc, tap: 1); add(a2 + b2, into: acc, tap: 2)
        add(a3 + b3, into: acc, tap: 3); add(a4 + b4, into: acc, tap: 4)
    }
}
