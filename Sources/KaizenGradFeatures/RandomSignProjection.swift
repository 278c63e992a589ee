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

    /// Entry 8k + j is the sign of bit j of byte k (+1 when set), little-endian like the words.
    static let byteSigns: [Float] = (0..<2048).map { i in ((i >> 3) >> (i & 7)) & 1 == 1 ? 1 : -1 }

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
        // Signs expand a byte at a time from a table of the 256 patterns of 8 signs.
        let table = Self.byteSigns
        var start = 0
        while start < n {
            let width = Swift.min(chunk, n - start)
            bits.withUnsafeBufferPointer { words in
                table.withUnsafeBufferPointer { tb in
                    let box = UncheckedSendable(words), tbox = UncheckedSendable(tb)
                    Parallel.forRanges(d, costPerItem: width) { rows in
                        let bytes = UnsafeRawPointer(box.value.address).assumingMemoryBound(to: UInt8.self)
                        for r in rows {
                            let dst = pb + r * width
                            // start is a multiple of 8 (the chunk is), so columns start on a byte boundary.
                            let rowBytes = bytes + (r * wordsPerRow) * 8 + start / 8
                            var c = 0
                            while c < width {
                                let count = Swift.min(8, width - c)
                                (dst + c).update(from: tbox.value.address + Int(rowBytes[c >> 3]) * 8, count: count)
                                c += 8
                            }
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
