import Testing
@testable import KaizenTensor

@Suite struct PerSampleGradientTests {
    /// Toy network: tokens -> linear (the probed layer) -> tanh -> mean over tokens -> scalar per sample.
    /// The batched outer-product gradients must equal per-sample autograd gradients of W and b.
    @Test func outerProductIdentityMatchesAutograd() throws {
        var rng = RandomGenerator(seed: 11)
        let batch = 3, tokens = 4, din = 5, dout = 2
        let a = rng.normal([batch, tokens, din])
        let w = rng.normal([dout, din]), bias = rng.normal([dout])
        let v = rng.normal([dout])
        func head(_ y: Tensor) throws -> Tensor {  // [B, T, Dout] -> [B]
            try (y.tanh() * v).sum(axes: [2]).mean(axes: [1])
        }
        // Batched: probe the layer output, one backward for the whole batch (losses are independent).
        let y = try noGrad { try a.matmul(w.transposed()) + bias }
        let probe = LayerGradientProbe(layerOutput: y)
        try head(probe.output).sum().backward()
        let batched = try PerSampleGradients.linear(input: a, outputGradient: probe.outputGradient()).scalars

        // Reference: per sample, autograd through W and b.
        for s in 0..<batch {
            let wl = w.requiringGrad(), bl = bias.requiringGrad()
            let xs = try a.narrowed(axis: 0, start: s, length: 1)
            try head(try xs.matmul(wl.transposed()) + bl).sum().backward()
            let gw = try #require(wl.grad).scalars, gb = try #require(bl.grad).scalars
            for i in 0..<dout {
                for j in 0..<din {
                    #expect(Swift.abs(batched[(s * dout + i) * (din + 1) + j] - gw[i * din + j]) < 1e-5)
                }
                #expect(Swift.abs(batched[(s * dout + i) * (din + 1) + din] - gb[i]) < 1e-5)
            }
        }
    }

    @Test func rejectsMismatchedShapes() {
        #expect(throws: KaizenError.self) {
            try PerSampleGradients.linear(input: .zeros([2, 3, 4]), outputGradient: .zeros([2, 4, 4]))
        }
    }
}
