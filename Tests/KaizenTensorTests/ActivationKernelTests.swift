import Foundation
import Testing
@testable import KaizenTensor

@Suite struct GELUTests {
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

@Suite struct ClampKernelTests {
    @Test func simdReLU6MatchesScalarDefinition() throws {
        let n = 1037  // not a multiple of 8: exercises the tail
        var values = (0..<n).map { Float($0 % 97) * 0.09 - 1.5 }
        values[5] = 0; values[6] = 6; values[7] = -0.0
        let x = try Tensor(shape: [n], values: values).requiringGrad()
        let y = x.relu6()
        #expect(y.scalars == values.map { Swift.min(Swift.max($0, 0), 6) })
        let seed = try Tensor(shape: [n], values: (0..<n).map { Float($0) + 1 })
        try y.backward(seed: seed)
        let expected = (0..<n).map { values[$0] > 0 && values[$0] < 6 ? Float($0) + 1 : 0 }
        #expect(try #require(x.grad).scalars == expected)
    }
}
