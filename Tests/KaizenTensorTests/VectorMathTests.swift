import Foundation
import Testing
@testable import KaizenTensor

/// The vectorised exp/erf/GELU kernels against libm on dense grids and special values.
@Suite struct VectorMathTests {
    /// -110...100 in steps that hit the tails, subnormal outputs and overflow; 20_003 values (not a multiple of 8).
    static let grid: [Float] = (0..<20_003).map { -110 + 210 * Float($0) / 20_002 }

    static func apply(_ xs: [Float], _ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> [Float] {
        var out = [Float](repeating: .nan, count: xs.count)
        xs.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { o in kernel(x.baseAddress!, o.baseAddress!, xs.count) } }
        return out
    }

    @Test func expMatchesLibm() {
        let xs = Self.grid + (0..<1000).map { -1 + Float($0) / 500 } + [0, -0, .infinity, -.infinity, 88.72, 88.73, -87.5, -103.9]
        let ys = Self.apply(xs, VectorMath.exp)
        var worst: Float = 0
        for (x, y) in zip(xs, ys) {
            let ref = Foundation.expf(x)
            if ref.isInfinite || ref == 0 { #expect(y == ref, "exp(\(x)) = \(y), libm \(ref)"); continue }
            // relative error for normal results, absolute at the subnormal scale below
            let err = Swift.abs(y - ref) / Swift.max(ref, Float.leastNormalMagnitude)
            worst = Swift.max(worst, err)
        }
        #expect(worst < 5e-7, "worst relative error \(worst)")
        #expect(Self.apply([.nan], VectorMath.exp)[0].isNaN)
    }

    @Test func erfMatchesLibm() {
        let xs = (0..<8001).map { -8 + Float($0) / 500 }
        let ys = Self.apply(xs, VectorMath.erf)
        let worst = zip(xs, ys).map { Swift.abs($0.1 - Foundation.erff($0.0)) }.max() ?? 0
        #expect(worst < 1e-6, "worst absolute error \(worst)")
        #expect(Self.apply([.nan], VectorMath.erf)[0].isNaN)
    }

    @Test func geluAndItsGradientMatchLibm() throws {
        let xs = (0..<4001).map { -12 + Float($0) / 166 }
        let y = Self.apply(xs, VectorMath.gelu)
        let ones = [Float](repeating: 1, count: xs.count)
        var dy = [Float](repeating: 0, count: xs.count)
        ones.withUnsafeBufferPointer { g in xs.withUnsafeBufferPointer { x in dy.withUnsafeMutableBufferPointer { o in
            VectorMath.geluBackward(g.baseAddress!, x.baseAddress!, o.baseAddress!, xs.count)
        } } }
        var worstY: Float = 0, worstD: Float = 0
        for (i, x) in xs.enumerated() {
            let xd = Double(x)
            let cdf = 0.5 * Foundation.erfc(-xd / 2.0.squareRoot())
            let refY = xd * cdf
            let refD = cdf + xd * Foundation.exp(-0.5 * xd * xd) / (2 * Double.pi).squareRoot()
            worstY = Swift.max(worstY, Float(Swift.abs(Double(y[i]) - refY) / Swift.max(1, Swift.abs(refY))))
            worstD = Swift.max(worstD, Float(Swift.abs(Double(dy[i]) - refD)))
        }
        #expect(worstY < 1e-6, "gelu worst error \(worstY)")
        #expect(worstD < 1e-6, "gelu' worst error \(worstD)")
        // Far tail: gelu(-6) = -6 Phi(-6) ~ -5.9e-9 stays non-zero and within 1% (0.5 x (1 + erff) gives 0).
        let tail = Self.apply([-6], VectorMath.gelu)[0]
        #expect(Swift.abs(tail / Float(-6 * 0.5 * Foundation.erfc(6 / 2.0.squareRoot())) - 1) < 1e-2)
    }

    @Test func unaryOpsUseTheKernels() throws {
        let x = try Tensor(shape: [11], values: (0..<11).map { Float($0) - 5 })
        for (a, v) in zip(x.exp().scalars, x.scalars) { #expect(Swift.abs(a - Foundation.expf(v)) <= 1e-6 * Foundation.expf(v)) }
        for (a, v) in zip(x.sigmoid().scalars, x.scalars) { #expect(Swift.abs(a - 1 / (1 + Foundation.expf(-v))) < 1e-6) }
        for (a, v) in zip(x.silu().scalars, x.scalars) { #expect(Swift.abs(a - v / (1 + Foundation.expf(-v))) < 1e-6) }
    }
}
