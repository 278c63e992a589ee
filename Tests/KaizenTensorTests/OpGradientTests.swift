import Foundation
import Testing
@testable import KaizenTensor

@Suite struct OpGradientTests {
    /// Every differentiable op against central finite differences.
    @Test func finiteDifferences() throws {
        var rng = RandomGenerator(seed: 21)
        let x = rng.normal([3, 4]), y = rng.normal([3, 4]), v = rng.normal([4])
        let q = rng.normal([2, 2, 3, 4]), k = rng.normal([2, 2, 5, 4]), val = rng.normal([2, 2, 5, 3])
        let mask: [[Bool]] = [[true, true, true, false, false], [true, true, true, true, true]]
        let cases: [(String, [Tensor], ([Tensor]) throws -> Tensor)] = [
            ("unary gelu", [x], { $0[0].gelu() }),
            ("unary silu/tanh/sigmoid", [x], { try $0[0].silu() + $0[0].tanh() + $0[0].sigmoid() }),
            ("exp/log/sqrt", [x], { try $0[0].exp() + ($0[0].abs() + 0.5).log() + ($0[0].abs() + 0.5).sqrt() }),
            ("relu6/clamp/pow", [x * 4], { try $0[0].relu6() + $0[0].clamp(min: -1, max: 1) + $0[0].pow(2) }),
            ("max axis", [x], { try $0[0].max(axes: [1]) }),
            ("min keepDims", [x], { try $0[0].min(axes: [0], keepDims: true) }),
            ("variance", [x], { try $0[0].variance(axes: [1]) }),
            ("softmax axis 0", [x], { try $0[0].softmax(axis: 0) }),
            ("logSoftmax", [x], { try $0[0].logSoftmax(axis: -1) }),
            ("logSumExp", [x], { try $0[0].logSumExp(axes: [1]) }),
            ("crossEntropy mean+smoothing", [x], { try Functional.crossEntropy($0[0], targets: [0, 3, 1], labelSmoothing: 0.1) }),
            ("crossEntropy none", [x], { try Functional.crossEntropy($0[0], targets: [2, 2, 1], reduction: .none) }),
            ("concat", [x, y], { try Tensor.concat([$0[0], $0[1]], axis: 1) }),
            ("stack", [x, y], { try Tensor.stack([$0[0], $0[1]], axis: 0) }),
            ("indexSelect repeats", [x], { try $0[0].indexSelect(axis: 0, indices: [2, 0, 2]) }),
            ("pickPerRow", [x], { try $0[0].pickPerRow([1, 0, 3]) }),
            ("embedding", [x], { try Functional.embedding($0[0], ids: [1, 1, 2, 0], shape: [2, 2]) }),
            ("layerNorm", [x, v, v], { try Functional.layerNorm($0[0], weight: $0[1], bias: $0[2], eps: 1e-5) }),
            ("layerNorm plain", [x], { try Functional.layerNorm($0[0], weight: nil, bias: nil, eps: 1e-5) }),
            ("attention masked", [q, k, val], { try Functional.scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2], keyPaddingMask: mask) }),
            ("l1/l2 norms", [x], { try $0[0].l1Norm(axes: [1]) + $0[0].l2Norm(axes: [1]) }),
            ("cosine", [x, y], { try Functional.cosineSimilarity($0[0], $0[1], axis: 1) }),
            ("normalize", [x], { try Functional.normalize($0[0], axis: 1) }),
            ("topK", [x], { try $0[0].topK(2, axis: 1).values }),
        ]
        for (name, inputs, f) in cases {
            let report = try GradientCheck.run(inputs, eps: 1e-2, f)
            #expect(report.maxError < 2e-2, "\(name): \(report)")
        }
    }

    @Test func softmaxAndCrossEntropyValues() throws {
        let logits = try Tensor(shape: [2, 3], values: [1, 2, 3, 1000, 1000, 1000])
        let p = try logits.softmax().scalars
        #expect(Swift.abs(p[0] + p[1] + p[2] - 1) < 1e-6)
        #expect(p[3...].allSatisfy { Swift.abs($0 - 1.0 / 3) < 1e-6 })
        let ce = try Functional.crossEntropy(logits, targets: [2, 0], reduction: .none).scalars
        #expect(Swift.abs(ce[0] - (-Foundation.logf(p[2]))) < 1e-5)
        #expect(Swift.abs(ce[1] - Foundation.logf(3)) < 1e-4)  // float spacing at 1000 is 6e-5
        let lse = try Tensor(shape: [2], values: [1000, 1000]).logSumExp().item()
        #expect(Swift.abs(lse - (1000 + Foundation.logf(2))) < 1e-3)
        #expect(throws: KaizenError.self) { try Functional.crossEntropy(logits, targets: [3, 0]) }
    }

    @Test func attentionIgnoresPaddedKeys() throws {
        var rng = RandomGenerator(seed: 5)
        let q = rng.normal([1, 1, 2, 4]), k = rng.normal([1, 1, 3, 4]), v = rng.normal([1, 1, 3, 4])
        let masked = try Functional.scaledDotProductAttention(query: q, key: k, value: v, keyPaddingMask: [[true, true, false]])
        let cut = try Functional.scaledDotProductAttention(query: q, key: k.narrowed(axis: 2, start: 0, length: 2),
                                                           value: v.narrowed(axis: 2, start: 0, length: 2))
        for (a, b) in zip(masked.scalars, cut.scalars) { #expect(Swift.abs(a - b) < 1e-5) }
        let allMasked = try Functional.scaledDotProductAttention(query: q, key: k, value: v, keyPaddingMask: [[false, false, false]])
        #expect(allMasked.scalars.allSatisfy { $0.isFinite })
    }

    @Test func dropoutIsSeededAndScaled() throws {
        var r1 = RandomGenerator(seed: 3), r2 = RandomGenerator(seed: 3)
        let x = Tensor.ones([1000])
        let a = try Functional.dropout(x, p: 0.25, rng: &r1).scalars, b = try Functional.dropout(x, p: 0.25, rng: &r2).scalars
        #expect(a == b)
        #expect(Set(a).isSubset(of: [0, 1 / 0.75]))
        let kept = a.filter { $0 > 0 }.count
        #expect(kept > 700 && kept < 800)
        #expect(throws: KaizenError.self) { var r = RandomGenerator(seed: 0); _ = try Functional.dropout(x, p: 1, rng: &r) }
    }

    @Test func topKAndArgmaxTieBreaking() throws {
        let t = try Tensor(shape: [1, 5], values: [3, 7, 7, 1, 7])
        let (values, indices) = try t.topK(2)
        #expect(values.scalars == [7, 7] && indices == [1, 2])
        #expect(try t.argmax(axis: 1) == [1])
    }
}
