/// FUNGI's random projection (Achlioptas): R in {-1, +1}^{D x N} with i.i.d. signs, drawn from a
/// seed by a counter-based hash and kept bit-packed (N = 147,840 for MiniLM's 384 x 385 gradient:
/// 7 MB of bits instead of 227 MB of floats). One projection is shared by every objective and
/// split, as the paper requires. The scale 1/sqrt(D) does not matter: blocks are L2-normalised.
public struct RandomSignProjection: Sendable {
    public let seed: UInt64
    public let inputDimension: Int
    public let outputDimension: Int
    let wordsPerRow: Int
    let bits: [UInt64]

    public init(seed: UInt64, inputDimension: Int, outputDimension: Int) {
        self.seed = seed
        self.inputDimension = inputDimension
        self.outputDimension = outputDimension
        wordsPerRow = (inputDimension + 63) / 64
        bits = (0..<(outputDimension * wordsPerRow)).map { CounterHash.mix(seed, UInt64($0)) }
    }

    /// The sign of entry (row, column): +1 when its bit is set.
    @inline(__always)
    public func sign(row: Int, column: Int) -> Float {
        (bits[row * wordsPerRow + column >> 6] >> UInt64(column & 63)) & 1 == 1 ? 1 : -1
    }

    /// x [B, N] -> x R^T / sqrt(D) as [B, D], expanding the signs chunk by chunk into one GEMM each.
    public func project(_ x: Tensor) throws -> Tensor {
        guard x.rank == 2, x.shape[1] == inputDimension else {
            throw KaizenError.shapeMismatch(op: "RandomSignProjection", detail: "input \(Shape.describe(x.shape)) must be [B, \(inputDimension)]")
        }
        let b = x.shape[0], d = outputDimension, n = inputDimension
        let xc = x.contiguousValues()
        let out = Tensor(shape: [b, d], repeating: 0)
        let chunk = 4096
        let block = Tensor(uninitializedShape: [d, chunk])
        let pb = block.basePointer
        var start = 0
        while start < n {
            let width = Swift.min(chunk, n - start)
            bits.withUnsafeBufferPointer { words in
                let box = UncheckedSendable(words)
                Parallel.forRanges(d, costPerItem: width) { rows in
                    for r in rows {
                        let dst = pb + r * width
                        for c in 0..<width {
                            let col = start + c
                            dst[c] = (box.value[r * wordsPerRow + col >> 6] >> UInt64(col & 63)) & 1 == 1 ? 1 : -1
                        }
                    }
                }
            }
            BLAS.sgemm(transA: false, transB: true, m: b, n: d, k: width, alpha: 1 / Float(d).squareRoot(),
                       a: xc.basePointer + start, lda: n, b: pb, ldb: width, beta: 1, c: out.basePointer, ldc: d)
            start += width
        }
        return out
    }
}
