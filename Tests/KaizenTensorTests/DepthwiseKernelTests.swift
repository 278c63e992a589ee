import Testing
@testable import KaizenTensor

/// The depthwise kernel paths chosen by `DepthwiseDispatch`: channel blocks (5x5, stride-2
/// gradients, partial blocks), phase planes (multiplier > 1), the 3x3 row kernel and the stride-1
/// padded-plane row kernel (`DepthwiseRowKernel`), each checked
/// against naive loops and, for the gradients, finite differences or the adjoint identity.
@Suite struct DepthwiseKernelTests {
    struct Case: CustomStringConvertible, Sendable {
        let name: String
        let x: [Int], multiplier: Int, kernel: Int, stride: Int
        var description: String { name }
        var channels: Int { x[1] }
        var padding: Padding2D {
            .same(inputHeight: x[2], inputWidth: x[3], kernel: (kernel, kernel), stride: (stride, stride))
        }
    }

    static let small: [Case] = [
        Case(name: "5x5 s1 SAME, 11 channels (full + partial block)", x: [2, 11, 7, 6], multiplier: 1, kernel: 5, stride: 1),
        Case(name: "5x5 s2 SAME odd, 9 channels", x: [1, 9, 9, 7], multiplier: 1, kernel: 5, stride: 2),
        Case(name: "3x3 s2 SAME odd, 10 channels (blocked gradients)", x: [2, 10, 7, 9], multiplier: 1, kernel: 3, stride: 2),
        Case(name: "5x5 s2 multiplier 2 (phase planes)", x: [1, 3, 8, 9], multiplier: 2, kernel: 5, stride: 2),
        Case(name: "5x5 s1 on a 4x4 plane", x: [3, 8, 4, 4], multiplier: 1, kernel: 5, stride: 1),
        Case(name: "5x5 s2 on a 5x5 plane (narrow rows, pixel tail)", x: [2, 8, 5, 5], multiplier: 1, kernel: 5, stride: 2),
        // AVX-512 builds run the blocked forward 16 channels a block, packed eight at a time.
        Case(name: "5x5 s1 on a 4x4 plane, 24 channels (a 16 block and a half)", x: [2, 24, 4, 4], multiplier: 1, kernel: 5, stride: 1),
        Case(name: "5x5 s2 SAME odd, 37 channels (16, 16, 5)", x: [1, 37, 9, 11], multiplier: 1, kernel: 5, stride: 2),
        // Row kernel (stride 1, outputs >= 8 wide): partial last vector, odd row count, multiplier.
        Case(name: "3x3 s1 row kernel 5x13, multiplier 2", x: [2, 3, 5, 13], multiplier: 2, kernel: 3, stride: 1),
        Case(name: "5x5 s1 row kernel 9x19", x: [1, 4, 9, 19], multiplier: 1, kernel: 5, stride: 1),
        Case(name: "5x5 s1 row kernel 8x8 (one vector)", x: [2, 3, 8, 8], multiplier: 1, kernel: 5, stride: 1),
        // Stride-2 3x3 row kernel (outputs >= 8 wide): odd left padding (width 19), even (width 36).
        Case(name: "3x3 s2 strided rows 9x19, multiplier 2", x: [2, 3, 9, 19], multiplier: 2, kernel: 3, stride: 2),
        Case(name: "3x3 s2 strided rows 11x36", x: [1, 4, 11, 36], multiplier: 1, kernel: 3, stride: 2),
        // 3x3 below eight outputs wide: channel blocks with multiplier 1, the per-row 3x3 kernel
        // with a multiplier.
        Case(name: "3x3 s1 on a 7x7 plane, 12 channels", x: [2, 12, 7, 7], multiplier: 1, kernel: 3, stride: 1),
        Case(name: "3x3 s1 on a 5x6 plane, multiplier 2", x: [2, 3, 5, 6], multiplier: 2, kernel: 3, stride: 1),
        Case(name: "3x3 s2 on a 16x16 plane (8 wide), 9 channels", x: [1, 9, 16, 16], multiplier: 1, kernel: 3, stride: 2),
    ]

    func conv(_ c: Case, _ x: Tensor, _ w: Tensor, bias: Tensor? = nil) throws -> Tensor {
        try Functional.conv2d(x, weight: w, bias: bias, stride: (c.stride, c.stride), padding: c.padding, groups: c.channels)
    }

    func weights(_ c: Case, _ rng: inout RandomGenerator) -> Tensor {
        rng.normal([c.channels * c.multiplier, 1, c.kernel, c.kernel])
    }

    @Test(arguments: small) func forwardMatchesNaiveLoops(_ c: Case) throws {
        var rng = RandomGenerator(seed: 21)
        let x = rng.normal(c.x), w = weights(c, &rng), b = rng.normal([c.channels * c.multiplier])
        let y = try conv(c, x, w, bias: b)
        let expected = ConvReference.conv2d(x, w, b, stride: (c.stride, c.stride), padding: c.padding,
                                            dilation: (1, 1), groups: c.channels)
        #expect(ConvReference.maxDifference(y.scalars, expected) < 1e-4, "\(c.name)")
    }

    @Test(arguments: small) func gradientsMatchFiniteDifferences(_ c: Case) throws {
        var rng = RandomGenerator(seed: 22)
        let x = rng.normal(c.x), w = weights(c, &rng)
        let report = try GradientCheck.run([x, w]) { try conv(c, $0[0], $0[1]) }
        #expect(report.maxError < 1e-2, "\(c.name): \(report)")
    }

    /// At 97x97 (asymmetric SAME padding) finite differences are too slow; conv is linear in x and
    /// in w, so the gradients must satisfy <gx, dx> = <conv(dx, w), g> and <gw, dw> = <conv(x, dw), g>.
    @Test(arguments: [
        Case(name: "5x5 s2 @97", x: [1, 9, 97, 97], multiplier: 1, kernel: 5, stride: 2),
        Case(name: "5x5 s1 @97", x: [1, 9, 97, 97], multiplier: 1, kernel: 5, stride: 1),
        Case(name: "3x3 s2 @97", x: [2, 9, 97, 97], multiplier: 1, kernel: 3, stride: 2),
    ]) func gradientsAreAdjointsAt97(_ c: Case) throws {
        var rng = RandomGenerator(seed: 23)
        let x = rng.normal(c.x).requiringGrad(), w = weights(c, &rng).requiringGrad()
        let y = try conv(c, x, w)
        let g = rng.normal(y.shape)
        try y.backward(seed: g)
        let dx = rng.normal(c.x), dw = weights(c, &rng)
        func dot(_ a: Tensor, _ b: Tensor) -> Double { zip(a.scalars, b.scalars).reduce(0) { $0 + Double($1.0 * $1.1) } }
        let lhsX = dot(try #require(x.grad), dx), rhsX = dot(try noGrad { try conv(c, dx, w.detached()) }, g)
        let lhsW = dot(try #require(w.grad), dw), rhsW = dot(try noGrad { try conv(c, x.detached(), dw) }, g)
        #expect(abs(lhsX - rhsX) < 1e-3 * max(1, abs(rhsX)), "\(c.name): \(lhsX) vs \(rhsX)")
        #expect(abs(lhsW - rhsW) < 1e-3 * max(1, abs(rhsW)), "\(c.name): \(lhsW) vs \(rhsW)")
        // The forward pass at this size against naive loops too.
        let expected = ConvReference.conv2d(x.detached(), w.detached(), nil, stride: (c.stride, c.stride),
                                            padding: c.padding, dilation: (1, 1), groups: c.channels)
        #expect(ConvReference.maxDifference(y.scalars, expected) < 1e-3)
    }
}
