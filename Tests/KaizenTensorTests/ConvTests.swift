import Testing
@testable import KaizenTensor

@Suite struct ConvTests {
    struct Case: CustomStringConvertible, Sendable {
        let name: String
        let x: [Int], w: [Int]
        let bias: Bool
        let stride: (Int, Int), padding: Padding2D, dilation: (Int, Int), groups: Int
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "dense 3x3 pad 1 bias", x: [2, 3, 6, 5], w: [4, 3, 3, 3], bias: true,
             stride: (1, 1), padding: .symmetric(1), dilation: (1, 1), groups: 1),
        Case(name: "groups 2 stride 2 asymmetric", x: [2, 4, 7, 6], w: [6, 2, 3, 3], bias: true,
             stride: (2, 2), padding: Padding2D(top: 0, bottom: 1, left: 1, right: 2), dilation: (1, 1), groups: 2),
        Case(name: "dilation 2 rectangular kernel", x: [1, 2, 8, 7], w: [3, 2, 3, 2], bias: false,
             stride: (1, 2), padding: Padding2D(top: 2, bottom: 1, left: 0, right: 1), dilation: (2, 2), groups: 1),
        Case(name: "1x1", x: [2, 5, 4, 3], w: [3, 5, 1, 1], bias: true,
             stride: (1, 1), padding: .symmetric(0), dilation: (1, 1), groups: 1),
        Case(name: "1x1 per-image plane of 256", x: [1, 2, 16, 16], w: [3, 2, 1, 1], bias: true,
             stride: (1, 1), padding: .symmetric(0), dilation: (1, 1), groups: 1),
        // Few input channels (27 rows <= 32 outputs): the forward keeps its columns for the weight gradient.
        Case(name: "RGB stem 3x3/s2 SAME", x: [2, 3, 9, 8], w: [32, 3, 3, 3], bias: true,
             stride: (2, 2), padding: .same(inputHeight: 9, inputWidth: 8, kernel: (3, 3), stride: (2, 2)),
             dilation: (1, 1), groups: 1),
        Case(name: "1x1 stride 2", x: [2, 3, 5, 5], w: [4, 3, 1, 1], bias: false,
             stride: (2, 2), padding: .symmetric(0), dilation: (1, 1), groups: 1),
        Case(name: "depthwise 3x3 SAME stride 2", x: [2, 3, 7, 6], w: [3, 1, 3, 3], bias: true,
             stride: (2, 2), padding: .same(inputHeight: 7, inputWidth: 6, kernel: (3, 3), stride: (2, 2)),
             dilation: (1, 1), groups: 3),
        Case(name: "depthwise 3x3 stride 1 asymmetric wide", x: [2, 2, 5, 13], w: [2, 1, 3, 3], bias: true,
             stride: (1, 1), padding: Padding2D(top: 0, bottom: 2, left: 2, right: 1), dilation: (1, 1), groups: 2),
        Case(name: "depthwise 3x3 stride 2 wide multiplier 2", x: [1, 2, 6, 21], w: [4, 1, 3, 3], bias: false,
             stride: (2, 2), padding: .symmetric(1), dilation: (1, 1), groups: 2),
        Case(name: "depthwise multiplier 2 dilation 2", x: [1, 2, 7, 7], w: [4, 1, 3, 3], bias: false,
             stride: (1, 1), padding: Padding2D(top: 1, bottom: 3, left: 2, right: 0), dilation: (2, 2), groups: 2),
        Case(name: "depthwise 5x5 stride 1 asymmetric wide", x: [1, 2, 6, 11], w: [2, 1, 5, 5], bias: true,
             stride: (1, 1), padding: Padding2D(top: 4, bottom: 0, left: 1, right: 3), dilation: (1, 1), groups: 2),
        Case(name: "depthwise 3x3 stride 2 asymmetric wide", x: [1, 2, 7, 20], w: [2, 1, 3, 3], bias: true,
             stride: (2, 2), padding: Padding2D(top: 2, bottom: 1, left: 1, right: 2), dilation: (1, 1), groups: 2),
        Case(name: "depthwise 5x5 stride 2 asymmetric", x: [1, 2, 9, 8], w: [2, 1, 5, 5], bias: false,
             stride: (2, 2), padding: Padding2D(top: 1, bottom: 2, left: 2, right: 1), dilation: (1, 1), groups: 2),
        // Channel-block weight gradients by kernel row (3 and 5 wide) with dilation, a rectangular
        // kernel, and a 7-wide kernel (tap-at-a-time path), each with a partial block of channels.
        Case(name: "depthwise 3x3 dilation (2, 3), 9 channels", x: [2, 9, 9, 10], w: [9, 1, 3, 3], bias: false,
             stride: (1, 1), padding: Padding2D(top: 2, bottom: 1, left: 3, right: 2), dilation: (2, 3), groups: 9),
        Case(name: "depthwise 3x5 stride 2, 10 channels", x: [1, 10, 8, 9], w: [10, 1, 3, 5], bias: true,
             stride: (2, 2), padding: Padding2D(top: 1, bottom: 1, left: 2, right: 2), dilation: (1, 1), groups: 10),
        Case(name: "depthwise 7x7, 9 channels", x: [1, 9, 8, 9], w: [9, 1, 7, 7], bias: false,
             stride: (1, 1), padding: .symmetric(3), dilation: (1, 1), groups: 9),
    ]

    func inputs(_ c: Case, seed: UInt64) -> [Tensor] {
        var rng = RandomGenerator(seed: seed)
        var ts = [rng.normal(c.x), rng.normal(c.w)]
        if c.bias { ts.append(rng.normal([c.w[0]])) }
        return ts
    }

    func run(_ c: Case, _ ts: [Tensor]) throws -> Tensor {
        try Functional.conv2d(ts[0], weight: ts[1], bias: c.bias ? ts[2] : nil, stride: c.stride,
                              padding: c.padding, dilation: c.dilation, groups: c.groups)
    }

    @Test(arguments: cases) func forwardMatchesNaiveLoops(_ c: Case) throws {
        let ts = inputs(c, seed: 11)
        let y = try run(c, ts)
        let expected = ConvReference.conv2d(ts[0], ts[1], c.bias ? ts[2] : nil, stride: c.stride,
                                            padding: c.padding, dilation: c.dilation, groups: c.groups)
        #expect(y.count == expected.count)
        #expect(ConvReference.maxDifference(y.scalars, expected) < 1e-4, "\(c.name)")
    }

    @Test(arguments: cases) func gradientsMatchFiniteDifferences(_ c: Case) throws {
        let report = try GradientCheck.run(inputs(c, seed: 5)) { try run(c, $0) }
        #expect(report.maxError < 1e-2, "\(c.name): \(report)")
    }

    @Test func inputGradientIsSkippedWhenNotNeeded() throws {
        var rng = RandomGenerator(seed: 2)
        let x = rng.normal([1, 3, 8, 8])  // an image: no grad
        let w = rng.normal([4, 3, 3, 3]).requiringGrad()
        let y = try Functional.conv2d(x, weight: w, bias: nil, stride: (2, 2), padding: .symmetric(1))
        try y.sum().backward()
        #expect(w.grad?.shape == [4, 3, 3, 3])
        #expect(x.grad == nil)
    }

    @Test func largerBatchMatchesNaiveLoops() throws {
        // Enough work to take the parallel paths of im2col and the depthwise loops.
        var rng = RandomGenerator(seed: 4)
        let x = rng.normal([3, 8, 40, 40]), w = rng.normal([8, 1, 3, 3]), wd = rng.normal([6, 8, 3, 3])
        let dw = try Functional.conv2d(x, weight: w, bias: nil, padding: .symmetric(1), groups: 8)
        let dense = try Functional.conv2d(x, weight: wd, bias: nil, stride: (2, 2), padding: .symmetric(1))
        let refDW = ConvReference.conv2d(x, w, nil, stride: (1, 1), padding: .symmetric(1), dilation: (1, 1), groups: 8)
        let refDense = ConvReference.conv2d(x, wd, nil, stride: (2, 2), padding: .symmetric(1), dilation: (1, 1), groups: 1)
        #expect(ConvReference.maxDifference(dw.scalars, refDW) < 1e-4)
        #expect(ConvReference.maxDifference(dense.scalars, refDense) < 1e-4)
    }

    /// An RGB stem at a realistic size (65x65 outputs, two images) through the kept-columns path:
    /// conv is linear in the weight, so <gW, dW> = <conv(x, dW), g>, and the input gradient the
    /// same way; the forward against naive loops.
    @Test func stemGradientsOnLargePlanesAreAdjoints() throws {
        var rng = RandomGenerator(seed: 41)
        let padding = Padding2D.same(inputHeight: 130, inputWidth: 130, kernel: (3, 3), stride: (2, 2))
        func conv(_ x: Tensor, _ w: Tensor) throws -> Tensor {
            try Functional.conv2d(x, weight: w, bias: nil, stride: (2, 2), padding: padding)
        }
        let x = rng.normal([2, 3, 130, 130]).requiringGrad(), w = rng.normal([32, 3, 3, 3]).requiringGrad()
        let y = try conv(x, w)
        let g = rng.normal(y.shape)
        try y.backward(seed: g)
        let dx = rng.normal(x.shape), dw = rng.normal(w.shape)
        func dot(_ a: Tensor, _ b: Tensor) -> Double { zip(a.scalars, b.scalars).reduce(0) { $0 + Double($1.0 * $1.1) } }
        let lhsW = dot(try #require(w.grad), dw), rhsW = dot(try noGrad { try conv(x.detached(), dw) }, g)
        let lhsX = dot(try #require(x.grad), dx), rhsX = dot(try noGrad { try conv(dx, w.detached()) }, g)
        #expect(abs(lhsW - rhsW) < 1e-3 * max(1, abs(rhsW)), "\(lhsW) vs \(rhsW)")
        #expect(abs(lhsX - rhsX) < 1e-3 * max(1, abs(rhsX)), "\(lhsX) vs \(rhsX)")
        // The forward against naive loops, with and without a bias.
        let b = rng.normal([32])
        let yb = try noGrad { try Functional.conv2d(x.detached(), weight: w.detached(), bias: b, stride: (2, 2), padding: padding) }
        let expected = ConvReference.conv2d(x.detached(), w.detached(), b, stride: (2, 2), padding: padding,
                                            dilation: (1, 1), groups: 1)
        #expect(ConvReference.maxDifference(yb.scalars, expected) < 1e-3)
        #expect(ConvReference.maxDifference(y.scalars, ConvReference.conv2d(x.detached(), w.detached(), nil, stride: (2, 2),
                                                                           padding: padding, dilation: (1, 1), groups: 1)) < 1e-3)
    }

    /// 1x1 on 7x7 planes over a batch of 8 (`PointwiseBatchedKernels`: one product over the batch,
    /// regrouped by the threads): forward against naive loops, both gradients as adjoints.
    @Test func batchedPointwiseOnTwoThreadsMatchesNaiveLoops() throws {
        var rng = RandomGenerator(seed: 47)
        let x = rng.normal([8, 96, 7, 7]).requiringGrad(), w = rng.normal([128, 96, 1, 1]).requiringGrad()
        let y = try Parallel.$maxThreads.withValue(2) {
            let y = try Functional.conv2d(x, weight: w, bias: nil)
            try y.backward(seed: rng.normal(y.shape))
            return y
        }
        let expected = ConvReference.conv2d(x.detached(), w.detached(), nil, stride: (1, 1), padding: .symmetric(0),
                                            dilation: (1, 1), groups: 1)
        #expect(ConvReference.maxDifference(y.scalars, expected) < 1e-3)
        // Same seed stream again: the gradient seed used above.
        var again = RandomGenerator(seed: 47)
        _ = again.normal(x.shape); _ = again.normal(w.shape)
        let g = again.normal(y.shape)
        let dx = again.normal(x.shape), dw = again.normal(w.shape)
        func dot(_ a: Tensor, _ b: Tensor) -> Double { zip(a.scalars, b.scalars).reduce(0) { $0 + Double($1.0 * $1.1) } }
        func conv(_ a: Tensor, _ b: Tensor) throws -> Tensor { try noGrad { try Functional.conv2d(a, weight: b, bias: nil) } }
        let lhsW = dot(try #require(w.grad), dw), rhsW = dot(try conv(x.detached(), dw), g)
        let lhsX = dot(try #require(x.grad), dx), rhsX = dot(try conv(dx, w.detached()), g)
        #expect(abs(lhsW - rhsW) < 1e-3 * max(1, abs(rhsW)), "\(lhsW) vs \(rhsW)")
        #expect(abs(lhsX - rhsX) < 1e-3 * max(1, abs(rhsX)), "\(lhsX) vs \(rhsX)")
    }

    @Test func samePaddingFollowsTensorFlow() {
        // pad_total = max((ceil(in/s)-1)*s + (k-1)*d + 1 - in, 0); the extra pixel goes bottom/right.
        let cases: [(Int, Int, Int, Int, Int, Int)] = [  // in, k, s, d, before, after
            (97, 3, 2, 1, 1, 1), (224, 3, 2, 1, 0, 1), (112, 5, 2, 1, 1, 2), (56, 3, 1, 1, 1, 1),
            (7, 5, 1, 1, 2, 2), (97, 5, 2, 1, 2, 2), (4, 3, 2, 1, 0, 1), (6, 1, 4, 1, 0, 0), (10, 3, 1, 2, 2, 2),
        ]
        for (size, k, s, d, before, after) in cases {
            let p = Padding2D.same(inputHeight: size, inputWidth: size + 1, kernel: (k, k), stride: (s, s), dilation: (d, d))
            #expect(p.top == before && p.bottom == after, "in \(size) k \(k) s \(s) d \(d): \(p)")
            let (l, r) = Padding2D.sameSplit(input: size + 1, kernel: k, stride: s, dilation: d)
            #expect(p.left == l && p.right == r)
            // The output size is ceil(in / stride), as SAME promises.
            let out = (size + before + after - (k - 1) * d - 1) / s + 1
            #expect(out == (size + s - 1) / s)
        }
    }

    @Test func badShapesNameTheTensors() {
        let x = Tensor.zeros([1, 4, 5, 5])
        #expect(throws: KaizenError.self) { try Functional.conv2d(x, weight: .zeros([2, 3, 3, 3]), bias: nil) }
        #expect(throws: KaizenError.self) { try Functional.conv2d(x, weight: .zeros([3, 2, 3, 3]), bias: nil, groups: 2) }
        #expect(throws: KaizenError.self) { try Functional.conv2d(x, weight: .zeros([2, 4, 7, 7]), bias: nil) }
        #expect(throws: KaizenError.self) { try Functional.conv2d(x, weight: .zeros([2, 4, 3, 3]), bias: .zeros([3])) }
        #expect(throws: KaizenError.self) { try Functional.conv2d(.zeros([4, 5, 5]), weight: .zeros([2, 4, 3, 3]), bias: nil) }
        do {
            _ = try Functional.conv2d(x, weight: .zeros([2, 3, 3, 3]), bias: nil)
        } catch {
            let message = "\(error)"
            #expect(message.contains("weight [2, 3, 3, 3]") && message.contains("input [1, 4, 5, 5]"), "\(message)")
        }
        do {
            _ = try Functional.conv2d(x, weight: .zeros([2, 4, 4, 4]), bias: nil, dilation: (2, 2))
        } catch {
            #expect("\(error)".contains("larger than the padded input"), "\(error)")
        }
    }
}
