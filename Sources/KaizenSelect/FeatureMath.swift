import Foundation

/// Small helpers on [N, d] feature matrices.
enum FeatureMath {
    /// Rows scaled to unit length (zero rows stay zero), as F.normalize with eps 1e-12.
    static func l2Normalised(_ t: Tensor) -> Tensor {
        let x = t.contiguousValues()
        let n = x.shape[0], d = x.shape[1]
        let out = Tensor(uninitializedShape: [n, d])
        let src = UncheckedSendable((UnsafePointer(x.basePointer), out.basePointer))
        Parallel.forRanges(n, costPerItem: d) { range in
            let (ps, po) = src.value
            for i in range {
                let row = ps + i * d
                let norm = Kernels.dot(row, row, d).squareRoot()
                let inv = 1 / max(norm, 1e-12)
                for c in 0..<d { po[i * d + c] = row[c] * inv }
            }
        }
        return out
    }
}
