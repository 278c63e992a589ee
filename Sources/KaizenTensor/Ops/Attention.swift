extension Functional {
    /// softmax(Q K^T / sqrt(D) + mask) V for [B, H, T, D] inputs. `keyPaddingMask[b][t]` is true for
    /// real tokens; padded keys get -inf before the softmax. A query row whose keys are all padded
    /// attends uniformly instead of producing NaN. Backward comes from the composed ops.
    public static func scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor,
                                                 keyPaddingMask: [[Bool]]? = nil) throws -> Tensor {
        guard query.rank == 4, key.rank == 4, value.rank == 4, query.shape[0] == key.shape[0],
              key.shape[2] == value.shape[2], query.shape[3] == key.shape[3] else {
            throw KaizenError.shapeMismatch(op: "attention", detail: "query \(Shape.describe(query.shape)), key \(Shape.describe(key.shape)), value \(Shape.describe(value.shape)) must be [B, H, T, D]")
        }
        let b = query.shape[0], tk = key.shape[2], d = query.shape[3]
        var scores = try query.matmul(key.transposed()) * (1 / Float(d).squareRoot())
        if let mask = keyPaddingMask {
            guard mask.count == b, mask.allSatisfy({ $0.count == tk }) else {
                throw KaizenError.shapeMismatch(op: "attention", detail: "key padding mask must be [\(b)][\(tk)]")
            }
            let bias = Tensor(uninitializedShape: [b, 1, 1, tk])
            for i in 0..<b {
                let allMasked = !mask[i].contains(true)
                for t in 0..<tk { bias.basePointer[i * tk + t] = mask[i][t] || allMasked ? 0 : -.infinity }
            }
            scores = try scores + bias
        }
        return try scores.softmax(axis: -1).matmul(value)
    }
}
