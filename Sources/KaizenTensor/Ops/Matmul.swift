/// Matrix products through BLAS. Transposed views are passed as transpose flags, never copied.
enum MatrixLayout {
    /// (transposed, leading dimension) for a 2-D view, or nil when it needs a copy.
    static func of(rows: Int, cols: Int, rowStride: Int, colStride: Int) -> (Bool, Int)? {
        if colStride == 1 || cols == 1 { return (false, Swift.max(rowStride, cols, 1)) }
        if rowStride == 1 || rows == 1 { return (true, Swift.max(colStride, rows, 1)) }
        return nil
    }
}

extension Tensor {
    /// Matrix product of the last two dimensions, with batch dimensions when both are rank >= 3
    /// (equal batch shapes) or when one side is a plain matrix shared across the batch.
    public func matmul(_ other: Tensor) throws -> Tensor {
        let a = self, b = other
        guard a.rank >= 1, b.rank >= 1 else {
            throw KaizenError.shapeMismatch(op: "matmul", detail: "scalars \(Shape.describe(a.shape)) x \(Shape.describe(b.shape))")
        }
        // Promote vectors to matrices, then drop the added dimension at the end.
        if a.rank == 1 { return try a.unsqueezed(0).matmul(b).squeezedFirstMatrixDim(b.rank) }
        if b.rank == 1 { return try a.matmul(b.unsqueezed(1)).squeezedLast() }
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1], k2 = b.shape[b.rank - 2], n = b.shape[b.rank - 1]
        guard k == k2 else {
            throw KaizenError.shapeMismatch(op: "matmul", detail: "\(Shape.describe(a.shape)) x \(Shape.describe(b.shape)): inner dimensions \(k) and \(k2)")
        }
        let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
        let batchShape: [Int]
        if batchA == batchB || batchB.isEmpty { batchShape = batchA } else if batchA.isEmpty { batchShape = batchB } else {
            throw KaizenError.shapeMismatch(op: "matmul", detail: "batch shapes \(Shape.describe(batchA)) and \(Shape.describe(batchB))")
        }
        let batch = Shape.count(batchShape)
        let out = Tensor(uninitializedShape: batchShape + [m, n])
        let (ta, lda, ma, bsA) = Tensor.gemmOperand(a, rows: m, cols: k)
        let (tb, ldb, mb, bsB) = Tensor.gemmOperand(b, rows: k, cols: n)
        if batch == 1 {
            BLAS.sgemm(transA: ta, transB: tb, m: m, n: n, k: k, a: ma.basePointer, lda: lda,
                       b: mb.basePointer, ldb: ldb, c: out.basePointer, ldc: n)
        } else if batchB.isEmpty && !ta && lda == k && bsA == m * k {
            // A shared right matrix lets the batch fold into the rows of A: one GEMM.
            BLAS.sgemm(transA: false, transB: tb, m: batch * m, n: n, k: k, a: ma.basePointer, lda: k,
                       b: mb.basePointer, ldb: ldb, c: out.basePointer, ldc: n)
        } else {
            for i in 0..<batch {
                let pa = ma.basePointer + (batchA.isEmpty ? 0 : i * bsA)
                let pb = mb.basePointer + (batchB.isEmpty ? 0 : i * bsB)
                BLAS.sgemm(transA: ta, transB: tb, m: m, n: n, k: k, a: pa, lda: lda, b: pb, ldb: ldb,
                           c: out.basePointer + i * m * n, ldc: n)
            }
        }
        return Autograd.record("matmul", output: out, inputs: [a, b]) { g, needs in
            var ga: Tensor? = nil, gb: Tensor? = nil
            if needs[0] {
                let full = try g.matmul(b.transposed())
                ga = batchA.isEmpty && !batchShape.isEmpty ? try full.sum(toShape: a.shape) : full
            }
            if needs[1] {
                if batchB.isEmpty && !batchShape.isEmpty {
                    gb = try a.reshaped([-1, k]).transposed().matmul(g.reshaped([-1, n]))
                } else {
                    gb = try a.transposed().matmul(g)
                }
            }
            return [ga, gb]
        }
    }

    /// The BLAS view of the last two dims: (transposed, ld, backing tensor, batch stride).
    static func gemmOperand(_ t: Tensor, rows: Int, cols: Int) -> (Bool, Int, Tensor, Int) {
        let r = t.rank
        let rs = t.strides[r - 2], cs = t.strides[r - 1]
        let batchDims = Array(t.shape.dropLast(2))
        // Batch dims must collapse to a single stride.
        var batchStride = rows * cols
        var collapsible = true
        if !batchDims.isEmpty {
            batchStride = t.strides[r - 3]
            var expected = batchStride * t.shape[r - 3]
            for d in stride(from: r - 4, through: 0, by: -1) where t.shape[d] != 1 {
                if t.strides[d] != expected { collapsible = false; break }
                expected *= t.shape[d]
            }
            if Shape.count(batchDims) == 1 { batchStride = 0 }
        }
        if collapsible, let (trans, ld) = MatrixLayout.of(rows: rows, cols: cols, rowStride: rs, colStride: cs) {
            return (trans, ld, t, batchStride)
        }
        let c = t.contiguousValues()
        return (false, cols, c, rows * cols)
    }

    fileprivate func squeezedLast() throws -> Tensor { try reshaped(Array(shape.dropLast())) }
    fileprivate func squeezedFirstMatrixDim(_ otherRank: Int) throws -> Tensor {
        var s = shape
        s.remove(at: s.count - 2)
        return try reshaped(s)
    }
}
