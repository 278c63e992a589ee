import Foundation
import Testing
@testable import KaizenTensor

@Suite struct VectorMathTests {
    @Test func expAndErfMatchLibm() {
        var worstExp: Float = 0, worstErf: Float = 0
        var x: Float = -87
        while x < 88 {
            let v = VectorMath.V(repeating: x)
            let e = VectorMath.exp(v)[0], ref = Foundation.expf(x)
            worstExp = Swift.max(worstExp, Swift.abs(e - ref) / Swift.max(ref, .leastNormalMagnitude))
            if Swift.abs(x) < 6 { worstErf = Swift.max(worstErf, Swift.abs(VectorMath.erf(v)[0] - Foundation.erff(x))) }
            x += 0.0137
        }
        #expect(worstExp < 4e-7)
        #expect(worstErf < 1.5e-6)
        #expect(VectorMath.exp(VectorMath.V(repeating: -200))[0] >= 0)
    }

    @Test func unaryTailsAreHandled() throws {
        let t = try Tensor(shape: [11], values: (0..<11).map { Float($0) * 0.3 - 1.5 })
        let e = t.exp().scalars, g = t.gelu().scalars
        for (i, v) in t.scalars.enumerated() {
            #expect(Swift.abs(e[i] - Foundation.expf(v)) < 1e-5)
            #expect(Swift.abs(g[i] - 0.5 * v * (1 + Foundation.erff(v / Float(2).squareRoot()))) < 1e-6)
        }
    }
}
