import Testing
@testable import KaizenTensor

@Suite struct PoolingTests {
    /// Naive max or (count_include_pad) average pooling.
    func naivePool(_ x: Tensor, kernel: (Int, Int), stride: (Int, Int), padding: Padding2D, max useMax: Bool) -> [Float] {
        let xs = x.scalars
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let oh = (h + padding.top + padding.bottom - kernel.0) / stride.0 + 1
        let ow = (w + padding.left + padding.right - kernel.1) / stride.1 + 1
        var out: [Float] = []
        for p in 0..<(n * c) { for y in 0..<oh { for xx in 0..<ow {
            var best = -Float.infinity, sum: Float = 0
            for i in 0..<kernel.0 { for j in 0..<kernel.1 {
                let iy = y * stride.0 + i - padding.top, ix = xx * stride.1 + j - padding.left
                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                let v = xs[(p * h + iy) * w + ix]
                best = Swift.max(best, v)
                sum += v
            } }
            out.append(useMax ? best : sum / Float(kernel.0 * kernel.1))
        } } }
        return out
    }

    @Test func maxAndAvgMatchNaiveLoops() throws {
        var rng = RandomGenerator(seed: 8)
        let x = rng.normal([2, 3, 9, 8])
        let configs: [((Int, Int), (Int, Int), Padding2D)] = [
            ((3, 3), (2, 2), .symmetric(1)), ((2, 2), (2, 2), .symmetric(0)),
            ((3, 2), (1, 2), Padding2D(top: 0, bottom: 1, left: 1, right: 0)),
        ]
        for (k, s, p) in configs {
            let mx = try Functional.maxPool2d(x, kernel: k, stride: s, padding: p)
            let av = try Functional.avgPool2d(x, kernel: k, stride: s, padding: p)
            #expect(ConvReference.maxDifference(mx.scalars, naivePool(x, kernel: k, stride: s, padding: p, max: true)) < 1e-6)
            #expect(ConvReference.maxDifference(av.scalars, naivePool(x, kernel: k, stride: s, padding: p, max: false)) < 1e-5)
        }
    }

    @Test func avgPoolCountsPaddingAsZeros() throws {
        let y = try Functional.avgPool2d(.ones([1, 1, 3, 3]), kernel: (3, 3), stride: (1, 1), padding: .symmetric(1))
        #expect(abs(y.scalars[0] - 4 / 9) < 1e-6)  // corner: 4 real inputs over a 9-tap window
        #expect(abs(y.scalars[4] - 1) < 1e-6)
    }

    @Test func poolingGradients() throws {
        var rng = RandomGenerator(seed: 9)
        let x = rng.normal([2, 2, 7, 6])
        let pad = Padding2D(top: 1, bottom: 0, left: 1, right: 1)
        let maxReport = try GradientCheck.run([x], eps: 1e-3) { try Functional.maxPool2d($0[0], kernel: (3, 3), stride: (2, 2), padding: pad) }
        #expect(maxReport.maxError < 1e-2, "max: \(maxReport)")
        let avgReport = try GradientCheck.run([x]) { try Functional.avgPool2d($0[0], kernel: (3, 2), stride: (2, 1), padding: pad) }
        #expect(avgReport.maxError < 1e-2, "avg: \(avgReport)")
        let globalReport = try GradientCheck.run([x]) { try Functional.globalAvgPool2d($0[0]) }
        #expect(globalReport.maxError < 1e-2, "global: \(globalReport)")
    }

    @Test func globalAveragePoolValues() throws {
        var rng = RandomGenerator(seed: 10)
        let x = rng.normal([3, 5, 7, 7])
        let y = try Functional.globalAvgPool2d(x)
        #expect(y.shape == [3, 5])
        let expected = try x.mean(axes: [2, 3]).scalars
        #expect(ConvReference.maxDifference(y.scalars, expected) < 1e-5)
    }

    @Test func poolingRejectsBadArguments() {
        let x = Tensor.zeros([1, 1, 4, 4])
        #expect(throws: KaizenError.self) { try Functional.maxPool2d(x, kernel: (3, 3), stride: (1, 1), padding: .symmetric(2)) }
        #expect(throws: KaizenError.self) { try Functional.avgPool2d(x, kernel: (5, 5), stride: (1, 1)) }
        #expect(throws: KaizenError.self) { try Functional.maxPool2d(x, kernel: (2, 2), stride: (0, 1)) }
        #expect(throws: KaizenError.self) { try Functional.globalAvgPool2d(.zeros([4, 4])) }
    }
}
