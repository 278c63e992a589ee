/// Sum and mean over axes.
enum ReduceKernel {
    /// Block length of `longRowSum`: fixed, so that the result does not depend on the thread count.
    static let longRowBlock = 65_536

    /// Sum of one long row as per-block partial sums added in block order (the blocks in parallel
    /// when `parallel`; the result is the same either way).
    static func longRowSum(_ p: UnsafePointer<Float>, _ n: Int, parallel: Bool) -> Float {
        let blocks = (n + longRowBlock - 1) / longRowBlock
        var partials = [Float](repeating: 0, count: blocks)
        partials.withUnsafeMutableBufferPointer { buffer in
            let out = UncheckedSendable(buffer.baseAddress!), src = UncheckedSendable(p)
            let body: (Range<Int>) -> Void = { range in
                for b in range {
                    let start = b * longRowBlock
                    out.value[b] = Kernels.sum(src.value + start, Swift.min(longRowBlock, n - start))
                }
            }
            if parallel { Parallel.forRanges(blocks, costPerItem: longRowBlock, body) } else { body(0..<blocks) }
        }
        return partials.reduce(0, +)
    }

    /// Sums a contiguous tensor viewed as [outer, r, inner] over the middle axis.
    static func sumAxis(_ x: Tensor, axis: Int) -> Tensor {
        let shape = x.shape
        let outer = Shape.count(Array(shape[..<axis])), r = shape[axis], inner = Shape.count(Array(shape[(axis + 1)...]))
        var outShape = shape
        outShape[axis] = 1
        let out = Tensor(uninitializedShape: outShape)
        let px = x.basePointer, po = out.basePointer
        if inner == 1 && outer < Parallel.maxThreads && r >= 2 * longRowBlock {
            for o in 0..<outer { po[o] = longRowSum(px + o * r, r, parallel: true) }
        } else if inner == 1 {
            Parallel.forRanges(outer, costPerItem: r) { range in
                for o in range { po[o] = r >= 2 * longRowBlock ? longRowSum(px + o * r, r, parallel: false) : Kernels.sum(px + o * r, r) }
            }
        } else {
            Parallel.forRanges(outer, costPerItem: r * inner) { range in
                for o in range {
                    let dst = po + o * inner
                    dst.update(from: px + o * r * inner, count: inner)
                    for j in 1..<max(r, 1) {
                        let src = px + (o * r + j) * inner
                        for i in 0..<inner { dst[i] += src[i] }
                    }
                    if r == 0 { dst.update(repeating: 0, count: inner) }
                }
            }
        }
        return out
    }
}

extension Tensor {
    /// Sum over `axes` (all axes when empty), optionally keeping reduced dimensions as size 1.
    public func sum(axes: [Int] = [], keepDims: Bool = false) throws -> Tensor {
        let resolved = try (axes.isEmpty ? Array(0..<rank) : axes).map { try Shape.axis($0, rank: rank, op: "sum") }
        let axesSet = Set(resolved)
        var values = contiguousValues()
        for a in axesSet.sorted() { values = ReduceKernel.sumAxis(values, axis: a) }
        let kept = values.shape
        let finalShape = keepDims ? kept : shape.enumerated().filter { !axesSet.contains($0.offset) }.map(\.element)
        let out = Tensor(storage: values.storage, shape: finalShape, strides: Shape.contiguousStrides(finalShape), offset: values.offset)
        let inShape = shape
        return Autograd.record("sum", output: out, inputs: [self]) { g, _ in
            [try g.reshaped(kept).expanded(to: inShape).contiguous()]
        }
    }

    /// Mean over `axes` (all axes when empty).
    public func mean(axes: [Int] = [], keepDims: Bool = false) throws -> Tensor {
        let resolved = try (axes.isEmpty ? Array(0..<rank) : axes).map { try Shape.axis($0, rank: rank, op: "mean") }
        let n = Set(resolved).reduce(1) { $0 * shape[$1] }
        return try sum(axes: resolved, keepDims: keepDims) * (1 / Float(Swift.max(n, 1)))
    }
}
