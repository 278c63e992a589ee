import Foundation

/// FUNGI's three self-supervised losses, one value per input (spec fungi.md §4). Inputs never
/// interact: the loss of input b depends only on its own views (and the fixed negatives), so the
/// gradient of the summed loss gives every input its own gradient.
public enum FUNGILosses {
    /// KL(U || q) with q = softmax(h(e^) / T) over the head's L outputs:
    /// sum_i (1/L)(log(1/L) - log q_i). e: [B, D] -> [B].
    public static func kl(embeddings e: Tensor, head: RandomLinearHead, temperature: Float) throws -> Tensor {
        let logits = try head(Functional.normalize(e, axis: 1)) * (1 / temperature)
        let outputs = head.weight.shape[0]
        return try -logits.logSoftmax(axis: 1).mean(axes: [1]) - Float(Foundation.log(Double(outputs)))
    }

    /// DINO without centering or EMA: sum over the G global views c and all V views c' of
    /// -<P_c, log Q_c'> (c = c' included), P_c = softmax(h_t(e^_c) / tau_t) with no gradient and
    /// Q_c' = softmax(h_s(e^_c') / tau_s). e: [B, V, D] with the global views first -> [B].
    public static func dino(views e: Tensor, globalViews: Int, teacher: RandomLinearHead, student: RandomLinearHead,
                            teacherTemperature: Float, studentTemperature: Float) throws -> Tensor {
        guard e.rank == 3, globalViews >= 1, globalViews <= e.shape[1] else {
            throw KaizenError.shapeMismatch(op: "FUNGILosses.dino", detail: "views \(Shape.describe(e.shape)) must be [B, V, D] with 1...V global views, got \(globalViews)")
        }
        let normalized = try Functional.normalize(e, axis: 2)
        // Sum over c of P_c times sum over c' of log Q_c' equals the sum of the G x V cross terms.
        let teacherSum = try noGrad {
            try (teacher(normalized.detached().narrowed(axis: 1, start: 0, length: globalViews)) * (1 / teacherTemperature))
                .softmax(axis: 2).sum(axes: [1])
        }
        let studentSum = try (student(normalized) * (1 / studentTemperature)).logSoftmax(axis: 2).sum(axes: [1])
        return try -(studentSum * teacherSum).sum(axes: [1])
    }

    /// SimCLR's InfoNCE per positive view i, averaged over the views of each input:
    /// l_i = -(1/(V-1)) sum_{j != i} u_i.u_j / tau + log sum_{k != i, k in views and negatives} exp(u_i.u_k / tau'),
    /// u = L2-normalised head outputs, self-similarity masked with -1e4, tau' = tau when
    /// `temperatureInLogSumExp`, else 1 (the paper's text code). e: [B, V, D]; negatives: the
    /// bank's normalised head outputs [N, K] (constant) -> [B].
    public static func simclr(views e: Tensor, head: RandomLinearHead, negatives: Tensor, temperature: Float,
                              temperatureInLogSumExp: Bool) throws -> Tensor {
        guard e.rank == 3, e.shape[1] >= 2 else {
            throw KaizenError.shapeMismatch(op: "FUNGILosses.simclr", detail: "views \(Shape.describe(e.shape)) must be [B, V, D] with V >= 2")
        }
        let v = e.shape[1], k = head.weight.shape[0]
        guard negatives.rank == 2, negatives.shape[1] == k else {
            throw KaizenError.shapeMismatch(op: "FUNGILosses.simclr", detail: "negatives \(Shape.describe(negatives.shape)) must be [N, \(k)] (normalised head outputs)")
        }
        let u = try Functional.normalize(head(e), axis: 2)
        let similarities = try u.matmul(u.transposed(1, 2))  // [B, V, V]
        let offDiagonal = Tensor(shape: [v, v], repeating: 1), selfMask = Tensor(shape: [v, v], repeating: 0)
        for i in 0..<v { offDiagonal.basePointer[i * v + i] = 0; selfMask.basePointer[i * v + i] = -1e4 }
        let others = try similarities * offDiagonal
        let positive = try others.sum(axes: [2]) * (1 / (temperature * Float(v - 1)))
        var logits = try others + selfMask
        if negatives.shape[0] > 0 { logits = try Tensor.concat([logits, u.matmul(negatives.transposed())], axis: 2) }
        let lse = try (temperatureInLogSumExp ? logits * (1 / temperature) : logits).logSumExp(axes: [2])
        return try (lse - positive).mean(axes: [1])
    }

    /// The negatives bank from embeddings of the negative views [N, D]: normalised SimCLR head outputs.
    public static func simclrBank(embeddings e: Tensor, head: RandomLinearHead) throws -> Tensor {
        try noGrad { try Functional.normalize(head(e), axis: 1) }
    }
}
