import Testing
@testable import KaizenTensor

@Suite struct BatchNormTests {
    @Test func trainingNormalisesAndUpdatesRunningStatistics() throws {
        var rng = RandomGenerator(seed: 12)
        let x = rng.normal([4, 3, 5, 5]) * 2 + 3
        let rm = try Tensor(shape: [3], values: [0.5, -1, 2]), rv = try Tensor(shape: [3], values: [1, 2, 0.5])
        let w = try Tensor(shape: [3], values: [1.5, 0.5, -1]), b = try Tensor(shape: [3], values: [0.1, 0.2, 0.3])
        let y = try Functional.batchNorm2d(x, runningMean: rm, runningVar: rv, weight: w, bias: b, training: true,
                                           momentum: 0.1, eps: 1e-5)
        let xs = x.scalars, ys = y.scalars
        let plane = 25, m = 4 * plane
        for c in 0..<3 {
            var vals: [Double] = []
            for n in 0..<4 { for i in 0..<plane { vals.append(Double(xs[(n * 3 + c) * plane + i])) } }
            let mean = vals.reduce(0, +) / Double(m)
            let biased = vals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(m)
            for n in 0..<4 { for i in 0..<plane {
                let idx = (n * 3 + c) * plane + i
                let expected = (Double(xs[idx]) - mean) / (biased + 1e-5).squareRoot() * Double(w.scalars[c]) + Double(b.scalars[c])
                #expect(abs(Double(ys[idx]) - expected) < 1e-4)
            } }
            let oldMean: [Double] = [0.5, -1, 2], oldVar: [Double] = [1, 2, 0.5]
            #expect(abs(Double(rm.scalars[c]) - (0.9 * oldMean[c] + 0.1 * mean)) < 1e-5)
            let unbiased = biased * Double(m) / Double(m - 1)
            #expect(abs(Double(rv.scalars[c]) - (0.9 * oldVar[c] + 0.1 * unbiased)) < 1e-4)
        }
    }

    @Test func evalUsesRunningStatistics() throws {
        var rng = RandomGenerator(seed: 13)
        let x = rng.normal([2, 2, 3, 3])
        let rm = try Tensor(shape: [2], values: [0.3, -0.2]), rv = try Tensor(shape: [2], values: [0.8, 1.7])
        let w = try Tensor(shape: [2], values: [2, -0.5]), b = try Tensor(shape: [2], values: [1, 0])
        let y = try Functional.batchNorm2d(x, runningMean: rm, runningVar: rv, weight: w, bias: b, training: false, eps: 1e-3)
        let xs = x.scalars, ys = y.scalars
        for i in 0..<x.count {
            let c = (i / 9) % 2
            let expected = (xs[i] - rm.scalars[c]) / (rv.scalars[c] + 1e-3).squareRoot() * w.scalars[c] + b.scalars[c]
            #expect(abs(ys[i] - expected) < 1e-5)
        }
        #expect(rm.scalars == [0.3, -0.2])  // eval leaves the running statistics alone
    }

    @Test(arguments: [true, false]) func gradientsMatchFiniteDifferences(training: Bool) throws {
        var rng = RandomGenerator(seed: 14)
        let x = rng.normal([3, 2, 3, 2]), w = rng.normal([2]), b = rng.normal([2])
        let rm = Tensor.zeros([2]), rv = Tensor.ones([2])
        let withAffine = try GradientCheck.run([x, w, b], eps: 3e-3) {
            try Functional.batchNorm2d($0[0], runningMean: rm, runningVar: rv, weight: $0[1], bias: $0[2], training: training)
        }
        #expect(withAffine.maxError < 1e-2, "\(training ? "train" : "eval") with affine: \(withAffine)")
        let plain = try GradientCheck.run([x], eps: 3e-3) {
            try Functional.batchNorm2d($0[0], runningMean: rm, runningVar: rv, weight: nil, bias: nil, training: training)
        }
        #expect(plain.maxError < 1e-2, "\(training ? "train" : "eval") without affine: \(plain)")
    }

    @Test func rejectsBadShapes() {
        let x = Tensor.zeros([2, 3, 4, 4])
        #expect(throws: KaizenError.self) {
            try Functional.batchNorm2d(x, runningMean: .zeros([2]), runningVar: .ones([3]), weight: nil, bias: nil, training: false)
        }
        #expect(throws: KaizenError.self) {
            try Functional.batchNorm2d(.zeros([1, 3, 1, 1]), runningMean: .zeros([3]), runningVar: .ones([3]),
                                       weight: nil, bias: nil, training: true)
        }
    }
}
