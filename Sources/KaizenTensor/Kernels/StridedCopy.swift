/// Gathers an arbitrary strided view into a contiguous buffer. The innermost dimension runs as a
/// tight loop; outer dimensions advance an index counter.
public enum StridedCopy {
    public static func copy(from src: Tensor, to dst: UnsafeMutablePointer<Float>) {
        let shape = src.shape, strides = src.strides
        let total = Shape.count(shape)
        if total == 0 { return }
        let base = src.basePointer
        let rank = shape.count
        if rank == 0 { dst.pointee = base.pointee; return }
        let inner = shape[rank - 1], innerStride = strides[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var srcOffset = 0
        var written = 0
        while written < total {
            let s = base + srcOffset
            let d = dst + written
            if innerStride == 1 {
                d.update(from: s, count: inner)
            } else {
                for i in 0..<inner { d[i] = s[i * innerStride] }
            }
            written += inner
            // advance outer index
            var dim = rank - 2
            while dim >= 0 {
                index[dim] += 1
                srcOffset += strides[dim]
                if index[dim] < shape[dim] { break }
                srcOffset -= strides[dim] * shape[dim]
                index[dim] = 0
                dim -= 1
            }
        }
    }
}
