import Foundation

extension Functional {
    /// Cross-entropy of logits [N, C] against class indices, with PyTorch's label smoothing
    /// (target = (1 - s) one-hot + s / C) and reduction. Fused log-softmax forward and backward.
    public static func crossEntropy(_ logits: Tensor, targets: [Int], labelSmoothing: Float = 0,
                                    reduction: Reduction = .mean) throws -> Tensor {
        guard logits.rank == 2 else {
            throw KaizenError.shapeMismatch(op: "crossEntropy", detail: "logits must be [N, C], got \(Shape.describe(logits.shape))")
        }
        let n = logits.shape[0], c = logits.shape[1]
        guard targets.count == n else {
            throw KaizenError.shapeMismatch(op: "crossEntropy", detail: "\(targets.count) targets for \(n) rows of logits")
        }
        if let bad = targets.firstIndex(where: { $0 < 0 || $0 >= c }) {
            throw KaizenError.invalidArgument(name: "targets", detail: "target \(targets[bad]) at index \(bad) is outside 0..<\(c)")
        }
        guard labelSmoothing >= 0 && labelSmoothing <= 1 else {
            throw KaizenError.invalidArgument(name: "labelSmoothing", detail: "must lie in [0, 1], got \(labelSmoothing)")
        }
        let x = logits.contiguousValues()
        let logp = Tensor(uninitializedShape: [n, c])
        SoftmaxKernel.forward(x.basePointer, logp.basePointer, rows: n, n: c, log: true)
        let perRow = Tensor(uninitializedShape: [n])
        let pl = logp.basePointer, pr = perRow.basePointer
        let s = labelSmoothing, offTarget = s / Float(c)
        for i in 0..<n {
            let row = pl + i * c
            pr[i] = -(1 - s) * row[targets[i]] - offTarget * Kernels.sum(row, c)
        }
        let out: Tensor
        switch reduction {
        case .none: out = perRow
        case .sum: out = Tensor(scalar: Kernels.sum(pr, n))
        case .mean: out = Tensor(scalar: n == 0 ? 0 : Kernels.sum(pr, n) / Float(n))
        }
        return Autograd.record("crossEntropy", output: out, inputs: [logits]) { g, _ in
            let gc = g.contiguousValues()
            let gx = Tensor(uninitializedShape: [n, c])
            // Take pointers from the captured tensors so their storage outlives the forward pass.
            let pg = gc.basePointer, po = gx.basePointer, pl = logp.basePointer
            for i in 0..<n {
                let scale: Float
                switch reduction {
                case .none: scale = pg[i]
                case .sum: scale = pg[0]
                case .mean: scale = pg[0] / Float(n)
                }
                let row = pl + i * c, o = po + i * c
                // d/dlogits = softmax - target distribution
                VectorMath.exp(row, o, c)
                for j in 0..<c { o[j] = scale * (o[j] - offTarget) }
                o[targets[i]] -= scale * (1 - s)
            }
            return [gx]
        }
    }
}
