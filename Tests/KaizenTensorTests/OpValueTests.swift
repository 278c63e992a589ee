import Foundation
import Testing
@testable import KaizenTensor

/// Values of the general ops against hand-computed results, edge cases of the fused kernels
/// (row tails, -inf, huge values) and gradient checks on shapes the main sweep does not cover.
@Suite struct OpValueTests {
    static func close(_ a: [Float], _ b: [Float], _ tol: Float = 1e-5) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= tol * Swift.max(1, Swift.abs($1)) }
    }

    @Test func softmaxRowsWithTailsAndMaskedEntries() throws {
        var rng = RandomGenerator(seed: 4)
        // Row lengths 13 and 37 exercise the 8-lane tail; rows sum to 1 and match the double formula.
        for n in [1, 13, 37] {
            let x = rng.normal([3, n], std: 3)
            let p = try x.softmax(axis: -1).scalars, lp = try x.logSoftmax(axis: -1).scalars, xs = x.scalars
            for r in 0..<3 {
                let row = xs[(r * n)..<((r + 1) * n)].map(Double.init)
                let m = row.max()!, z = row.reduce(0) { $0 + Foundation.exp($1 - m) }
                #expect(Swift.abs(p[(r * n)..<((r + 1) * n)].reduce(0, +) - 1) < 1e-5)
                for j in 0..<n {
                    #expect(Swift.abs(Double(p[r * n + j]) - Foundation.exp(row[j] - m) / z) < 1e-6)
                    #expect(Swift.abs(Double(lp[r * n + j]) - (row[j] - m - Foundation.log(z))) < 1e-5)
                }
            }
        }
        // -inf entries get exactly zero probability; an all -inf row does not poison other rows.
        let masked = try Tensor(shape: [2, 9], values: [1, -.infinity, 2, -.infinity, 3, 0, 0, 0, -.infinity]
                                + [Float](repeating: -.infinity, count: 9))
        let p = try masked.softmax(axis: -1).scalars
        #expect(p[1] == 0 && p[3] == 0 && p[8] == 0)
        #expect(Swift.abs(p[0..<9].reduce(0, +) - 1) < 1e-6)
    }

    @Test func logSumExpFusedRows() throws {
        // Large values do not overflow; -inf rows give -inf; +inf gives +inf.
        let x = try Tensor(shape: [3, 3], values: [1e30, 1e30, 0, -.infinity, -.infinity, -.infinity, 1, .infinity, 2])
        let lse = try x.logSumExp(axes: [1]).scalars
        #expect(lse[0] == 1e30)
        #expect(lse[1] == -.infinity)
        #expect(lse[2] == .infinity)
        let y = try Tensor(shape: [2, 3], values: [0, 0, 0, 1, 2, 3])
        let r = try y.logSumExp(axes: [1], keepDims: true)
        #expect(r.shape == [2, 1])
        #expect(Self.close(r.scalars, [Foundation.logf(3), 3 + Foundation.logf(1 + Foundation.expf(-1) + Foundation.expf(-2))]))
        // Non-trailing and multiple axes against the composed formula.
        var rng = RandomGenerator(seed: 9)
        let z = rng.normal([2, 3, 4])
        let fused = try z.logSumExp(axes: [0, 2]).scalars
        let composed = try z.exp().sum(axes: [0, 2]).log().scalars
        #expect(Self.close(fused, composed))
        let report = try GradientCheck.run([z], eps: 1e-2) { try $0[0].logSumExp(axes: [2, 0], keepDims: true) }
        #expect(report.maxError < 1e-2, "\(report)")
        let all = try GradientCheck.run([z], eps: 1e-2) { try $0[0].logSumExp() }
        #expect(all.maxError < 1e-2, "\(all)")
    }

    @Test func softmaxGradientOnTailRowsAndMiddleAxis() throws {
        var rng = RandomGenerator(seed: 12)
        let x = rng.normal([2, 11])
        for (name, f) in [("softmax", { (t: Tensor) in try t.softmax(axis: -1) }),
                          ("logSoftmax", { (t: Tensor) in try t.logSoftmax(axis: -1) })] {
            let report = try GradientCheck.run([x], eps: 1e-2) { try f($0[0]) }
            #expect(report.maxError < 1e-2, "\(name): \(report)")
        }
        let y = rng.normal([2, 3, 2])
        let mid = try GradientCheck.run([y], eps: 1e-2) { try $0[0].softmax(axis: 1) }
        #expect(mid.maxError < 1e-2, "\(mid)")
    }

    @Test func extremaVarianceAndTies() throws {
        let x = try Tensor(shape: [2, 3], values: [1, 5, 5, -2, -2, 0])
        let leaf = x.requiringGrad()
        let m = try leaf.max(axes: [1])
        #expect(m.scalars == [5, 0])
        try m.sum().backward()
        #expect(leaf.grad?.scalars == [0, 1, 0, 0, 0, 1])  // tie goes to the first maximum
        let leaf2 = x.requiringGrad()
        try leaf2.min(axes: [1]).sum().backward()
        #expect(leaf2.grad?.scalars == [1, 0, 0, 1, 0, 0])
        #expect(try x.max().item() == 5 && x.min().item() == -2)
        #expect(try x.argmax(axis: 0) == [0, 0, 0] && x.argmax(axis: 1) == [1, 2])
        // var([1, 5, 5]) = 16/3 unbiased, 32/9 biased
        let v = try x.variance(axes: [1]).scalars, vb = try x.variance(axes: [1], unbiased: false).scalars
        #expect(Self.close(v, [16.0 / 3, 4.0 / 3]) && Self.close(vb, [32.0 / 9, 8.0 / 9]))
        #expect(try x.variance(axes: [0], keepDims: true).shape == [1, 3])
    }

    @Test func crossEntropyValues() throws {
        let logits = try Tensor(shape: [2, 4], values: [0.5, -1, 2, 0, 3, 3, -3, 1])
        let lp = try logits.logSoftmax(axis: -1).scalars
        // PyTorch: (1 - s) * nll + s * mean over classes of -log p
        let s: Float = 0.2
        var expected: [Float] = []
        for (i, t) in [2, 1].enumerated() {
            let row = lp[(i * 4)..<(i * 4 + 4)]
            expected.append(-(1 - s) * row[i * 4 + t] - s * row.reduce(0, +) / 4)
        }
        let none = try Functional.crossEntropy(logits, targets: [2, 1], labelSmoothing: s, reduction: .none).scalars
        #expect(Self.close(none, expected))
        let sum = try Functional.crossEntropy(logits, targets: [2, 1], labelSmoothing: s, reduction: .sum).item()
        let mean = try Functional.crossEntropy(logits, targets: [2, 1], labelSmoothing: s).item()
        #expect(Swift.abs(sum - expected.reduce(0, +)) < 1e-5 && Swift.abs(mean - sum / 2) < 1e-5)
        let report = try GradientCheck.run([logits], eps: 1e-2) {
            try Functional.crossEntropy($0[0], targets: [2, 1], labelSmoothing: s, reduction: .sum)
        }
        #expect(report.maxError < 1e-2, "\(report)")
        do {
            _ = try Functional.crossEntropy(logits, targets: [2, 4])
            Issue.record("expected an error")
        } catch let error as KaizenError {
            #expect(error.description.contains("index 1") && error.description.contains("4"))
        }
    }

    @Test func indexingValuesAndGradients() throws {
        let x = try Tensor(shape: [3, 2], values: [1, 2, 3, 4, 5, 6])
        // indexSelect with repeats accumulates: row 2 picked twice gets gradient 2.
        let leaf = x.requiringGrad()
        let picked = try leaf.indexSelect(axis: 0, indices: [2, 0, 2])
        #expect(picked.scalars == [5, 6, 1, 2, 5, 6])
        try picked.sum().backward()
        #expect(leaf.grad?.scalars == [1, 1, 0, 0, 2, 2])
        #expect(try x.indexSelect(axis: 1, indices: [1, 1]).scalars == [2, 2, 4, 4, 6, 6])
        // concat / stack along a middle axis
        let a = try Tensor(shape: [2, 1, 2], values: [1, 2, 3, 4]), b = try Tensor(shape: [2, 2, 2], values: [5, 6, 7, 8, 9, 10, 11, 12])
        #expect(try Tensor.concat([a, b], axis: 1).scalars == [1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12])
        let s = try Tensor.stack([a, a], axis: -1)
        #expect(s.shape == [2, 1, 2, 2] && s.scalars == [1, 1, 2, 2, 3, 3, 4, 4])
        #expect(throws: KaizenError.self) { try Tensor.concat([a, b], axis: 0) }
        let grad = try GradientCheck.run([a, b], eps: 1e-2) { try Tensor.concat([$0[0], $0[1]], axis: 1) }
        #expect(grad.maxError < 1e-3, "\(grad)")
        let stackGrad = try GradientCheck.run([a, a], eps: 1e-2) { try Tensor.stack([$0[0], $0[1]], axis: 1) }
        #expect(stackGrad.maxError < 1e-3, "\(stackGrad)")
        // pickPerRow and embedding
        #expect(try x.pickPerRow([1, 0, 1]).scalars == [2, 3, 6])
        let w = x.requiringGrad()
        let e = try Functional.embedding(w, ids: [0, 2, 0, 0], shape: [2, 2])
        #expect(e.shape == [2, 2, 2] && e.scalars == [1, 2, 5, 6, 1, 2, 1, 2])
        try e.sum().backward()
        #expect(w.grad?.scalars == [3, 3, 0, 0, 1, 1])
        do {
            _ = try Functional.embedding(x, ids: [0, 3], shape: [2])
            Issue.record("expected an error")
        } catch let error as KaizenError {
            #expect(error.description.contains("3") && error.description.contains("position 1"))
        }
    }

    @Test func layerNormValues() throws {
        // Row [1, 2, 3, 4]: mean 2.5, biased var 1.25.
        let x = try Tensor(shape: [1, 4], values: [1, 2, 3, 4])
        let w = try Tensor(shape: [4], values: [1, 2, 1, 1]), b = try Tensor(shape: [4], values: [0, 0, 1, 0])
        let y = try Functional.layerNorm(x, weight: w, bias: b, eps: 0).scalars
        let sd = Float(1.25).squareRoot()
        #expect(Self.close(y, [-1.5 / sd, 2 * -0.5 / sd, 0.5 / sd + 1, 1.5 / sd]))
        #expect(throws: KaizenError.self) { try Functional.layerNorm(x, weight: b.reshaped([2, 2]), bias: nil, eps: 1e-5) }
        var rng = RandomGenerator(seed: 8)
        let x3 = rng.normal([2, 2, 5]), w3 = rng.normal([5]), b3 = rng.normal([5])
        let report = try GradientCheck.run([x3, w3, b3], eps: 1e-2) {
            try Functional.layerNorm($0[0], weight: $0[1], bias: $0[2], eps: 1e-5)
        }
        #expect(report.maxError < 2e-2, "\(report)")
    }

    @Test func normsAndSimilarity() throws {
        let x = try Tensor(shape: [2, 2], values: [3, -4, 0, 0])
        #expect(try x.l2Norm(axes: [1]).scalars == [5, 0])
        #expect(try x.l1Norm(axes: [1]).scalars == [7, 0])
        // Gradient at the zero row is finite (zero), not NaN.
        let leaf = x.requiringGrad()
        try leaf.l2Norm(axes: [1]).sum().backward()
        #expect(Self.close(leaf.grad?.scalars ?? [], [0.6, -0.8, 0, 0]))
        let n = try Functional.normalize(x, axis: 1).scalars
        #expect(Self.close(n, [0.6, -0.8, 0, 0]))
        let a = try Tensor(shape: [2, 3], values: [1, 0, 0, 1, 1, 0]), b = try Tensor(shape: [2, 3], values: [2, 0, 0, 0, 1, 1])
        #expect(Self.close(try Functional.cosineSimilarity(a, b, axis: 1).scalars, [1, 0.5]))
        #expect(try Functional.cosineSimilarity(x, x, axis: 1).scalars.allSatisfy { $0.isFinite })
        var rng = RandomGenerator(seed: 2)
        let p = rng.normal([2, 3, 2]), q = rng.normal([2, 3, 2])
        let report = try GradientCheck.run([p, q], eps: 1e-2) { try Functional.cosineSimilarity($0[0], $0[1], axis: 1) }
        #expect(report.maxError < 1e-2, "\(report)")
        // |x| has a kink at 0: keep the inputs of the l1 check further than eps from it.
        let away = p.map { $0 + ($0 >= 0 ? 0.1 : -0.1) }
        let norms = try GradientCheck.run([away], eps: 1e-2) {
            try $0[0].l2Norm(axes: [0, 2], keepDims: true) + $0[0].l1Norm(axes: [1], keepDims: true)
        }
        #expect(norms.maxError < 1e-2, "\(norms)")
        let l2 = try GradientCheck.run([p], eps: 1e-2) { try $0[0].l2Norm(axes: [0, 2], keepDims: true) }
        #expect(l2.maxError < 1e-2, "\(l2)")
    }

    @Test func topKSmallestAndAxes() throws {
        let x = try Tensor(shape: [2, 3], values: [4, 1, 1, 0, 9, 7])
        let (small, idx) = try x.topK(2, largest: false)
        #expect(small.scalars == [1, 1, 0, 7] && idx == [1, 2, 0, 2])
        let (cols, colIdx) = try x.topK(1, axis: 0)
        #expect(cols.shape == [1, 3] && cols.scalars == [4, 9, 7] && colIdx == [0, 1, 1])
        #expect(throws: KaizenError.self) { try x.topK(4) }
        let report = try GradientCheck.run([x], eps: 1e-2) { try $0[0].topK(2, axis: 0).values }
        #expect(report.maxError < 1e-3, "\(report)")
    }

    @Test func dropoutIdentityAndGradient() throws {
        var rng = RandomGenerator(seed: 1)
        let x = rng.normal([4, 4])
        let same = try Functional.dropout(x, p: 0, rng: &rng)
        #expect(same.scalars == x.scalars)
        #expect(throws: KaizenError.self) { try Functional.dropout(x, p: -0.1, rng: &rng) }
        let leaf = x.requiringGrad()
        var r = RandomGenerator(seed: 5)
        let y = try Functional.dropout(leaf, p: 0.5, rng: &r)
        try y.sum().backward()
        // The gradient is the mask itself: 0 where dropped, 2 where kept.
        let g = leaf.grad?.scalars ?? []
        #expect(g.allSatisfy { $0 == 0 || $0 == 2 })
        for (gi, (yi, xi)) in zip(g, zip(y.scalars, x.scalars)) { #expect(yi == gi * xi) }
    }

    @Test func attentionMaskedGradientMatchesCutKeys() throws {
        var rng = RandomGenerator(seed: 17)
        let q = rng.normal([1, 2, 3, 4]), k = rng.normal([1, 2, 4, 4]), v = rng.normal([1, 2, 4, 4])
        let mask: [[Bool]] = [[true, false, true, false]]
        let report = try GradientCheck.run([q, k, v], eps: 1e-2) {
            try Functional.scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2], keyPaddingMask: mask)
        }
        #expect(report.maxError < 2e-2, "\(report)")
        // Padded keys and values receive exactly zero gradient.
        let kl = k.requiringGrad(), vl = v.requiringGrad()
        try Functional.scaledDotProductAttention(query: q, key: kl, value: vl, keyPaddingMask: mask).sum().backward()
        let gk = kl.grad?.scalars ?? [], gv = vl.grad?.scalars ?? []
        for h in 0..<2 {
            for t in [1, 3] {
                for d in 0..<4 { #expect(gk[(h * 4 + t) * 4 + d] == 0 && gv[(h * 4 + t) * 4 + d] == 0) }
            }
        }
    }
}
