import KaizenTensor

/// How a parameter tensor splits into the rows of the MARS norm (maximum absolute row sum, the
/// per-layer constraint of TPGM and FTP): one row per slice along dimension 0 (an output channel
/// of a convolution, an output unit of a linear layer).
///
/// Tensors of rank 0 or 1 (biases, normalisation scales) form a single row: the official code
/// reduces with `sum(dim=())`, which PyTorch treats as "all dimensions", so a 1-D tensor has one
/// L1 norm over all its elements. This quirk is reproduced on purpose.
public struct RowLayout: Sendable, Equatable {
    /// Number of rows (norms) of the tensor.
    public let rows: Int
    /// Number of elements per row.
    public let rowLength: Int

    public init(shape: [Int]) {
        let count = shape.reduce(1, *)
        if shape.count >= 2 {
            rows = shape[0]
            rowLength = shape[0] == 0 ? 0 : count / shape[0]
        } else {
            rows = 1
            rowLength = count
        }
    }

    /// The per-row L1 norms of `tensor` (no epsilon added), as Float in the tensor's row order.
    public static func rowL1Norms(_ tensor: Tensor) -> [Float] {
        let layout = RowLayout(shape: tensor.shape)
        let t = tensor.contiguousValues()
        let base = t.basePointer
        var norms = [Float](repeating: 0, count: layout.rows)
        let len = layout.rowLength
        norms.withUnsafeMutableBufferPointer { out in
            let po = out.address
            Parallel.forRanges(layout.rows, costPerItem: Swift.max(len, 1)) { r in
                for i in r { po[i] = Float(RowKernels.l1(base + i * len, len)) }
            }
        }
        return norms
    }
}

/// Raw-buffer reductions shared by the projections.
enum RowKernels {
    /// Sum of |x| over `count` elements, accumulated in Double (four lanes so it vectorises).
    @inline(__always)
    static func l1(_ x: UnsafePointer<Float>, _ count: Int) -> Double {
        var a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0
        var j = 0
        while j + 4 <= count {
            a0 += Double(Swift.abs(x[j])); a1 += Double(Swift.abs(x[j + 1]))
            a2 += Double(Swift.abs(x[j + 2])); a3 += Double(Swift.abs(x[j + 3]))
            j += 4
        }
        while j < count { a0 += Double(Swift.abs(x[j])); j += 1 }
        return (a0 + a1) + (a2 + a3)
    }

    /// Sum of x * y over `count` elements, accumulated in Double.
    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ count: Int) -> Double {
        var a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0
        var j = 0
        while j + 4 <= count {
            a0 += Double(x[j] * y[j]); a1 += Double(x[j + 1] * y[j + 1])
            a2 += Double(x[j + 2] * y[j + 2]); a3 += Double(x[j + 3] * y[j + 3])
            j += 4
        }
        while j < count { a0 += Double(x[j] * y[j]); j += 1 }
        return (a0 + a1) + (a2 + a3)
    }

    /// Sum of x * x over `count` elements, accumulated in Double.
    @inline(__always)
    static func squaredNorm(_ x: UnsafePointer<Float>, _ count: Int) -> Double { dot(x, x, count) }
}
