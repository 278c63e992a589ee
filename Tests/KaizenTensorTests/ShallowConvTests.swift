import Testing
@testable import KaizenTensor

/// The shallow-product kernels (an RGB stem's K = 27) against naive loops, on shapes that reach
/// every block and every remainder, and the stem's weight gradient through them.
@Suite struct ShallowConvTests {
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        return rng.normal([count]).scalars
    }

    @Test(arguments: [(1, 1), (5, 4), (32, 27), (7, 64)])
    func productMatchesNaiveLoops(_ shape: (Int, Int)) {
        let (m, k) = shape
        let w = ShallowProductKernel.width
        for n in [1, 2 * w - 1, 2 * w, 2 * w + 3, 100] {
            let ldb = n + 3, ldc = n + 5
            let a = Self.values(m * k, seed: 1), b = Self.values(k * ldb, seed: 2), bias = Self.values(m, seed: 3)
            for withBias in [false, true] {
                for columns in [0..<n, min(1, n)..<n] {
                    var c = [Float](repeating: .nan, count: m * ldc)
                    a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in bias.withUnsafeBufferPointer { pbias in
                        c.withUnsafeMutableBufferPointer { pc in
                            ShallowProductKernel.multiply(a: pa.baseAddress!, m: m, k: k, b: pb.baseAddress!, ldb: ldb,
                                                          c: pc.baseAddress!, ldc: ldc, columns: columns,
                                                          bias: withBias ? pbias.baseAddress! : nil)
                        }
                    } } }
                    var worst: Float = 0
                    for i in 0..<m {
                        for j in 0..<ldc {
                            guard columns.contains(j) else {
                                #expect(c[i * ldc + j].isNaN, "wrote outside the columns: row \(i) column \(j)")
                                continue
                            }
                            var s: Float = withBias ? bias[i] : 0
                            for r in 0..<k { s += a[i * k + r] * b[r * ldb + j] }
                            worst = max(worst, abs(c[i * ldc + j] - s))
                        }
                    }
                    #expect(worst < 1e-4, "m \(m) k \(k) n \(n) bias \(withBias): \(worst)")
                }
            }
        }
    }

    @Test(arguments: [(1, 1), (5, 4), (32, 27), (6, 7)])
    func transposedProductMatchesNaiveLoops(_ shape: (Int, Int)) {
        let (m, k) = shape
        let w = ShallowProductKernel.width
        // 600 pixels: more than one chunk of `chunkPixels`; three batches: sums across images.
        for n in [3, w, 2 * w + 5, 100, 600] {
            for batches in [1, 3] {
                let ldg = n + 2, ldb = n + 7, gStride = m * ldg + 5, bStride = k * ldb + 3
                let g = Self.values(batches * gStride, seed: 4), b = Self.values(batches * bStride, seed: 5)
                var out = [Float](repeating: .nan, count: m * k)
                g.withUnsafeBufferPointer { pg in b.withUnsafeBufferPointer { pb in
                    out.withUnsafeMutableBufferPointer { po in
                        ShallowProductKernel.multiplyTransposed(g: pg.baseAddress!, m: m, ldg: ldg, b: pb.baseAddress!, k: k,
                                                                ldb: ldb, n: n, batches: batches, gBatchStride: gStride,
                                                                bBatchStride: bStride, out: po.baseAddress!)
                    }
                } }
                var worst: Float = 0
                for i in 0..<m {
                    for r in 0..<k {
                        var s: Float = 0
                        for t in 0..<batches {
                            for j in 0..<n { s += g[t * gStride + i * ldg + j] * b[t * bStride + r * ldb + j] }
                        }
                        worst = max(worst, abs(out[i * k + r] - s))
                    }
                }
                #expect(worst < 1e-3, "m \(m) k \(k) n \(n) batches \(batches): \(worst)")
            }
        }
    }

    /// The stem with an image input (no input gradient): the weight gradient comes from the kept
    /// columns through `ShallowConvKernels.weightGradient`. It must be the adjoint of the forward,
    /// and the same bits at any thread count (4,290 pixels an image: one image a group, three
    /// groups); one image on two threads splits its pixels instead.
    @Test func stemWeightGradientIsTheAdjointAtAnyThreadCount() throws {
        var rng = RandomGenerator(seed: 43)
        let padding = Padding2D.same(inputHeight: 130, inputWidth: 131, kernel: (3, 3), stride: (2, 2))
        func conv(_ x: Tensor, _ w: Tensor, _ b: Tensor?) throws -> Tensor {
            try Functional.conv2d(x, weight: w, bias: b, stride: (2, 2), padding: padding)
        }
        let x = rng.normal([3, 3, 130, 131]), w0 = rng.normal([32, 3, 3, 3]), b = rng.normal([32])
        #expect(ShallowConvKernels.applies(try Functional.convGeometry(x: x.shape, weight: w0.shape, bias: nil, stride: (2, 2),
                                                                      padding: padding, dilation: (1, 1), groups: 1),
                                           outChannels: 32, groups: 1))
        let g = rng.normal([3, 32, 65, 66]), dw = rng.normal(w0.shape)
        var gradients: [[Float]] = []
        for threads in [1, 2, 3] {
            let grad = try Parallel.$maxThreads.withValue(threads) {
                let w = w0.detached().requiringGrad()
                let y = try conv(x, w, b)
                try y.backward(seed: g)
                return try #require(w.grad)
            }
            gradients.append(grad.scalars)
        }
        #expect(gradients[0] == gradients[1] && gradients[1] == gradients[2], "the weight gradient depends on the thread count")
        func dot(_ a: [Float], _ b: [Float]) -> Double { zip(a, b).reduce(0) { $0 + Double($1.0 * $1.1) } }
        let rhs = dot(try noGrad { try conv(x, dw, nil) }.scalars, g.scalars)
        let lhs = dot(gradients[0], dw.scalars)
        #expect(abs(lhs - rhs) < 1e-3 * max(1, abs(rhs)), "\(lhs) vs \(rhs)")
        // One image on two threads (pixels split between them) and three on three, against naive loops.
        for (images, threads) in [(1, 2), (3, 3)] {
            let xi = try x.narrowed(axis: 0, start: 0, length: images).contiguous()
            let y = try Parallel.$maxThreads.withValue(threads) { try noGrad { try conv(xi, w0, b) } }
            let expected = ConvReference.conv2d(xi, w0, b, stride: (2, 2), padding: padding, dilation: (1, 1), groups: 1)
            #expect(ConvReference.maxDifference(y.scalars, expected) < 1e-4, "\(images) images on \(threads) threads")
        }
    }
}
