import Foundation
import Testing
@testable import KaizenTensor

@Suite struct FastErfTests {
    @Test func erfMatchesLibm() {
        var worst: Float = 0
        for i in -60_000...60_000 {
            let x = Float(i) * 1e-4
            worst = Swift.max(worst, Swift.abs(FastErf.erf(x) - Foundation.erff(x)))
        }
        #expect(worst <= 1e-6)
        #expect(FastErf.erf(40) == 1 && FastErf.erf(-40) == -1 && FastErf.erf(0) == 0)
    }

    @Test func geluMatchesErfForm() throws {
        var rng = RandomGenerator(seed: 3)
        let x = rng.normal([4096]) * 3
        let y = x.gelu()
        for (v, g) in zip(x.scalars, y.scalars) {
            let exact = 0.5 * Double(v) * (1 + Foundation.erf(Double(v) / 2.0.squareRoot()))
            #expect(Swift.abs(Double(g) - exact) <= 2e-6 * Swift.max(1, Swift.abs(exact)))
        }
    }
}
