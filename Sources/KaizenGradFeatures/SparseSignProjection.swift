/// A sparse random sign projection (sparse Johnson-Lindenstrauss, Kane & Nelson 2014): every input
/// coordinate lands on `nonzerosPerColumn` distinct output rows with random signs, scaled by
/// 1/sqrt(s). FUNGI's ablation finds binary, Gaussian and sparse projections equally good; this one
/// costs B x N x s additions instead of the dense projection's B x N x D multiply-adds (409,600 x 8
/// instead of 409,600 x 1280 for EfficientNet-Lite0's `_conv_head`), which is what makes gradient
/// features affordable on a small CNN. Rows and signs are drawn from the seed and stored as N x s
/// packed integers (13 MB for 409,600 x 8), never as a dense matrix.
public struct SparseSignProjection: Sendable {
    public let seed: UInt64
    public let inputDimension: Int
    public let outputDimension: Int
    public let nonzerosPerColumn: Int
    /// Column j's entries are codes[j*s ..< (j+1)*s], each row << 1 | (1 when the sign is -1).
    let codes: [UInt32]

    public init(seed: UInt64, inputDimension: Int, outputDimension: Int, nonzerosPerColumn: Int = 8) throws {
        guard inputDimension > 0, outputDimension > 0, outputDimension < 1 << 31 else {
            throw KaizenError.invalidArgument(name: "projection", detail: "input and output dimensions must be positive, got \(inputDimension) -> \(outputDimension)")
        }
        guard nonzerosPerColumn >= 1, nonzerosPerColumn <= outputDimension else {
            throw KaizenError.invalidArgument(name: "nonzerosPerColumn",
                                              detail: "must be between 1 and the output dimension \(outputDimension), got \(nonzerosPerColumn)")
        }
        self.seed = seed
        self.inputDimension = inputDimension
        self.outputDimension = outputDimension
        self.nonzerosPerColumn = nonzerosPerColumn
        let s = nonzerosPerColumn, d = UInt64(outputDimension)
        var codes = [UInt32](repeating: 0, count: inputDimension * s)
        for j in 0..<inputDimension {
            // Each column's rows come from its own counter stream, so they do not depend on order.
            var counter = UInt64(j) &* 0x1_0000
            var filled = 0
            while filled < s {
                let h = CounterHash.mix(seed, counter)
                counter &+= 1
                let row = UInt32((h >> 1) % d)
                if (0..<filled).contains(where: { codes[j * s + $0] >> 1 == row }) { continue }
                codes[j * s + filled] = row << 1 | UInt32(h & 1)
                filled += 1
            }
        }
        self.codes = codes
    }

    /// The entry (row, column) of R: +-1/sqrt(s) or 0.
    public func entry(row: Int, column: Int) -> Float {
        let s = nonzerosPerColumn
        for t in 0..<s where Int(codes[column * s + t] >> 1) == row {
            return (codes[column * s + t] & 1 == 1 ? -1 : 1) / Float(s).squareRoot()
        }
        return 0
    }

    /// x [B, N] -> x R^T as [B, D]. Images go through in groups of 8, one SIMD lane each, so every
    /// nonzero is one vector multiply-add; threads split the columns, each with its own accumulator.
    public func project(_ x: Tensor) throws -> Tensor {
        guard x.rank == 2, x.shape[1] == inputDimension else {
            throw KaizenError.shapeMismatch(op: "SparseSignProjection", detail: "input \(Shape.describe(x.shape)) must be [B, \(inputDimension)]")
        }
        let b = x.shape[0], n = inputDimension, s = nonzerosPerColumn
        let xc = x.contiguousValues()
        let parts = Swift.max(1, Swift.min(Parallel.maxThreads, n * s / Parallel.minimumGrain))
        let px = UncheckedSendable(xc.basePointer)
        return accumulateInLaneGroups(batch: b, parts: parts, prepare: { _, _ in }) { part, first, lanes, acc, code in
            let chunk = 1024
            let columns = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: chunk)
            defer { columns.deallocate() }
            var start = n * part / parts
            let end = n * (part + 1) / parts
            while start < end {
                let width = Swift.min(chunk, end - start)
                columns.initialize(repeating: SIMD8(repeating: 0), count: width)
                for lane in 0..<lanes {
                    let row = px.value + (first + lane) * n + start
                    for j in 0..<width { columns[j][lane] = row[j] }
                }
                for j in 0..<width { Self.scatter(columns[j], entries: code + (start + j) * s, count: s, into: acc) }
                start += width
            }
        }
    }

    /// The projection of per-input gradients of a linear map given as factors: row b of the result
    /// is R vec(sum_t g[b, t] a[b, t]^T) (with the bias column, a = 1, appended when `includeBias`),
    /// for g [B, T, O] and a [B, T, I], without forming the B x O x I gradients. Each gradient entry
    /// costs T multiply-adds plus its s scatter-adds, so this beats forming the gradients (a GEMM,
    /// 1.6 MB per image written and read back, then transposed) while T is small: one view with a
    /// few positions, as KL on a CNN's last feature map.
    public func projectOuterProducts(outputGradient g: Tensor, input a: Tensor, includeBias: Bool) throws -> Tensor {
        guard g.rank == 3, a.rank == 3, g.shape[0] == a.shape[0], g.shape[1] == a.shape[1],
              g.shape[2] * (a.shape[2] + (includeBias ? 1 : 0)) == inputDimension else {
            throw KaizenError.shapeMismatch(op: "SparseSignProjection",
                                            detail: "factors \(Shape.describe(g.shape)) and \(Shape.describe(a.shape)) do not make gradients of \(inputDimension) entries")
        }
        let b = g.shape[0], t = g.shape[1], o = g.shape[2], i = a.shape[2], cols = i + (includeBias ? 1 : 0)
        let s = nonzerosPerColumn
        let gc = g.contiguousValues(), ac = a.contiguousValues()
        let parts = Swift.max(1, Swift.min(Parallel.maxThreads, o * cols * (s + t) / Parallel.minimumGrain))
        // Lane-major factors of 8 inputs: gl[o][t] and al[cols][t], so a gradient entry reads two runs of t.
        let gl = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: o * t)
        let al = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: cols * t)
        defer { gl.deallocate(); al.deallocate() }
        let pg = UncheckedSendable(gl), pa = UncheckedSendable(al)
        return accumulateInLaneGroups(batch: b, parts: parts, prepare: { first, lanes in
            gl.initialize(repeating: SIMD8(repeating: 0), count: o * t)
            al.initialize(repeating: SIMD8(repeating: 0), count: cols * t)
            for lane in 0..<lanes {
                let gb = gc.basePointer + (first + lane) * t * o, ab = ac.basePointer + (first + lane) * t * i
                for tt in 0..<t {
                    for oo in 0..<o { gl[oo * t + tt][lane] = gb[tt * o + oo] }
                    for ii in 0..<i { al[ii * t + tt][lane] = ab[tt * i + ii] }
                    if includeBias { al[i * t + tt][lane] = 1 }
                }
            }
        }) { part, _, _, acc, code in
            for oo in (o * part / parts)..<(o * (part + 1) / parts) {
                let gRow = pg.value + oo * t
                for ii in 0..<cols {
                    let aRow = pa.value + ii * t
                    var v = SIMD8<Float>(repeating: 0)
                    for tt in 0..<t { v += gRow[tt] * aRow[tt] }
                    Self.scatter(v, entries: code + (oo * cols + ii) * s, count: s, into: acc)
                }
            }
        }
    }

    /// The scaffolding of both projections: inputs in groups of eight (one SIMD lane each); per
    /// group `prepare(first, lanes)` runs once, then `part(index, first, lanes, accumulator, codes)`
    /// for each of `parts` slices of the work, in parallel, each adding into its own zeroed [D]
    /// accumulator; the accumulators' sum, scaled by 1/sqrt(s), becomes the group's output rows.
    private func accumulateInLaneGroups(
        batch b: Int, parts: Int, prepare: (_ first: Int, _ lanes: Int) -> Void,
        part: (_ index: Int, _ first: Int, _ lanes: Int, _ accumulator: UnsafeMutablePointer<SIMD8<Float>>,
               _ codes: UnsafePointer<UInt32>) -> Void
    ) -> Tensor {
        let d = outputDimension
        let out = Tensor(shape: [b, d], repeating: 0)
        let partial = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: parts * d)
        defer { partial.deallocate() }
        let pp = UncheckedSendable(partial)
        let scale = 1 / Float(nonzerosPerColumn).squareRoot()
        codes.withUnsafeBufferPointer { codeBuffer in
            let code = UncheckedSendable(codeBuffer.baseAddress!)
            for first in stride(from: 0, to: b, by: 8) {
                let lanes = Swift.min(8, b - first)
                prepare(first, lanes)
                partial.initialize(repeating: SIMD8(repeating: 0), count: parts * d)
                Parallel.forRanges(parts, costPerItem: Parallel.minimumGrain) { range in
                    for index in range { part(index, first, lanes, pp.value + index * d, code.value) }
                }
                store(partial, parts: parts, lanes: lanes, into: out.basePointer + first * d, scale: scale)
            }
        }
        return out
    }

    /// Adds +-v to the accumulator rows of one column's entries.
    @inline(__always)
    static func scatter(_ v: SIMD8<Float>, entries: UnsafePointer<UInt32>, count: Int, into acc: UnsafeMutablePointer<SIMD8<Float>>) {
        for e in 0..<count {
            let code = entries[e]
            let sign: Float = code & 1 == 0 ? 1 : -1
            acc[Int(code >> 1)] += sign * v
        }
    }

    /// Sums the threads' accumulators [parts, D] of 8 lanes and writes the first `lanes` rows of
    /// the output [lanes, D], scaled.
    func store(_ partial: UnsafeMutablePointer<SIMD8<Float>>, parts: Int, lanes: Int, into out: UnsafeMutablePointer<Float>, scale: Float) {
        let d = outputDimension
        for r in 0..<d {
            var total = partial[r]
            for part in 1..<parts { total += partial[part * d + r] }
            for lane in 0..<lanes { out[lane * d + r] = total[lane] * scale }
        }
    }
}
