import Testing
import KaizenNN

@Suite struct LayerTests {
    @Test func linearUsesPyTorchInitBoundsAndComputesAffineMap() throws {
        var rng = RandomGenerator(seed: 5)
        let layer = Linear(16, 8, rng: &rng)
        let bound = 1 / Float(16).squareRoot()
        let w = layer.weight.value.scalars, b = layer.bias?.value.scalars ?? []
        #expect(w.allSatisfy { Swift.abs($0) <= bound } && b.allSatisfy { Swift.abs($0) <= bound })
        #expect((w.map(Swift.abs).max() ?? 0) > 0.8 * bound, "draws cover the range")

        let fixed = try Linear(weight: try Tensor(shape: [2, 3], values: [1, 0, -1, 2, 1, 0]),
                               bias: try Tensor(shape: [2], values: [0.5, -0.5]))
        let y = try fixed(try Tensor(shape: [2, 1, 3], values: [1, 2, 3, 4, 5, 6]))
        #expect(y.shape == [2, 1, 2])
        #expect(y.scalars == [-1.5, 3.5, -1.5, 12.5])
        #expect(throws: KaizenError.self) { try fixed(Tensor.zeros([2, 4])) }
    }

    @Test func linearGradientsMatchFiniteDifferences() throws {
        var rng = RandomGenerator(seed: 2)
        let layer = Linear(3, 2, rng: &rng)
        let x = rng.normal([4, 3])
        let report = try GradientCheck.run([x, layer.weight.value, try #require(layer.bias?.value)]) { t in
            try t[0].matmul(t[1].transposed()) + t[2]
        }
        #expect(report.maxError < 1e-2, "\(report)")
        // And the layer itself routes gradients to its parameters.
        try layer(x).sum().backward()
        #expect(layer.weight.grad?.scalars == Array(repeating: try x.sum(axes: [0]).scalars, count: 2).flatMap { $0 })
        #expect(layer.bias?.grad?.scalars == [4, 4])
    }

    @Test func conv2dSamePaddingDependsOnInputSize() throws {
        var rng = RandomGenerator(seed: 1)
        let conv = try Conv2d(2, 3, kernel: (3, 3), stride: (2, 2), padding: .same, rng: &rng)
        #expect(try conv(rng.normal([1, 2, 7, 7])).shape == [1, 3, 4, 4])
        #expect(try conv(rng.normal([1, 2, 8, 6])).shape == [1, 3, 4, 3])
        #expect(conv.padding(inputHeight: 8, inputWidth: 8) == Padding2D(top: 0, bottom: 1, left: 0, right: 1))
        let fixed = try Conv2d(2, 4, kernel: (3, 3), padding: .symmetric(1), groups: 2, rng: &rng)
        #expect(fixed.weight.shape == [4, 1, 3, 3])
        #expect(try fixed(rng.normal([2, 2, 5, 5])).shape == [2, 4, 5, 5])
        #expect(throws: KaizenError.self) { try Conv2d(3, 4, kernel: (3, 3), groups: 2, rng: &rng) }
    }

    @Test func layerNormOverSeveralTrailingDimensionsMatchesSingleAxisForm() throws {
        var rng = RandomGenerator(seed: 3)
        let x = rng.normal([2, 3, 4])
        let flatNorm = LayerNorm(12), blockNorm = LayerNorm([3, 4])
        let a = try flatNorm(x.reshaped([2, 12])).scalars, b = try blockNorm(x).scalars
        for (u, v) in zip(a, b) { #expect(Swift.abs(u - v) < 1e-5) }
        #expect(blockNorm.namedParameters().map(\.0) == ["weight", "bias"])
        let report = try GradientCheck.run([x.narrowed(axis: 0, start: 0, length: 1)]) { t in try blockNorm(t[0]) }
        #expect(report.maxError < 2e-2, "\(report)")
    }

    @Test func embeddingLooksUpRowsAndScattersGradients() throws {
        let table = try Embedding(weight: try Tensor(shape: [3, 2], values: [0, 1, 10, 11, 20, 21]))
        let y = try table([2, 0, 2, 1], shape: [2, 2])
        #expect(y.shape == [2, 2, 2])
        #expect(y.scalars == [20, 21, 0, 1, 20, 21, 10, 11])
        try y.sum().backward()
        #expect(table.weight.grad?.scalars == [1, 1, 1, 1, 2, 2])
        #expect(throws: KaizenError.self) { try table([3]) }
    }

    @Test func dropoutIsReproducibleFromItsSeed() throws {
        let a = try Dropout(p: 0.3, seed: 11), b = try Dropout(p: 0.3, seed: 11)
        let x = Tensor.ones([64])
        #expect(try a(x).scalars == b(x).scalars)
        let kept = try a(x).scalars.filter { $0 != 0 }
        #expect(kept.allSatisfy { Swift.abs($0 - 1 / 0.7) < 1e-6 })
        #expect(throws: KaizenError.self) { try Dropout(p: 1) }
    }

    @Test func sequentialAndActivations() throws {
        let x = try Tensor(shape: [1, 4], values: [-2, -0.5, 0.5, 7])
        #expect(try Sequential(ReLU6(), Flatten()).callAsFunction(x).scalars == [0, 0, 0.5, 6])
        #expect(try ReLU()(x).scalars == [0, 0, 0.5, 7])
        #expect(try Flatten()(Tensor.zeros([2, 3, 4])).shape == [2, 12])
        #expect(try Identity()(x).scalars == x.scalars)
        #expect(Sequential(ReLU(), GELU()).namedChildren().map(\.0) == ["0", "1"])
    }

    @Test func lossHelpers() throws {
        let logits = try Tensor(shape: [2, 3], values: [2, 0, 0, 0, 0, 5])
        #expect(try Loss.accuracy(logits, targets: [0, 1]) == 0.5)
        let mse = try Loss.meanSquaredError(try Tensor(shape: [2], values: [1, 3]), try Tensor(shape: [2], values: [0, 1]))
        #expect(try mse.item() == 2.5)
        #expect(throws: KaizenError.self) { try Loss.meanSquaredError(Tensor.zeros([2]), Tensor.zeros([3])) }
    }
}
