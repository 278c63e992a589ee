/// 1x1 convolutions on small planes (e.g. 7x7 or 2x2) as ONE matrix product over the whole batch:
/// per-image products would have a tiny n dimension, which BLAS runs far below peak. The batch is
/// regrouped channel-major ([C, N*P]) around the product; those copies are cheap next to it.
enum PointwiseBatchedKernels {
    /// Use the batched form when planes are small and there is a batch to fold in.
    static func applies(_ g: ConvGeometry, groups: Int) -> Bool {
        DenseConvKernels.isPointwise(g) && groups == 1 && g.batch > 1 && g.planeOut < 256
    }

    /// [N, C, P] -> [C, N*P], channels split between the threads.
    static func toChannelMajor(_ src: UnsafePointer<Float>, batch: Int, channels: Int, plane: Int,
                               into dst: UnsafeMutablePointer<Float>) {
        let s = UncheckedSendable(src), d = UncheckedSendable(dst)
        Parallel.forRanges(channels, costPerItem: batch * plane) { range in
            for c in range { for n in 0..<batch {
                copyPlane(s.value + (n * channels + c) * plane, to: d.value + (c * batch + n) * plane, plane)
            } }
        }
    }

    /// [C, N*P] -> [N, C, P], images split between the threads.
    static func fromChannelMajor(_ src: UnsafePointer<Float>, batch: Int, channels: Int, plane: Int,
                                 into dst: UnsafeMutablePointer<Float>) {
        let s = UncheckedSendable(src), d = UncheckedSendable(dst)
        Parallel.forRanges(batch, costPerItem: channels * plane) { range in
            for n in range { for c in 0..<channels {
                copyPlane(s.value + (c * batch + n) * plane, to: d.value + (n * channels + c) * plane, plane)
            } }
        }
    }

    /// A plane of a few floats (4 at 2x2, 49 at 7x7): an inline loop, not a memmove call per plane.
    @inline(__always)
    private static func copyPlane(_ s: UnsafePointer<Float>, to d: UnsafeMutablePointer<Float>, _ count: Int) {
        for i in 0..<count { d[i] = s[i] }
    }

    static func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        out: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, outChannels o: Int) {
        let cols = g.batch * g.planeIn
        // Scratch from TensorStorage: large buffers come back from its mapping cache without page faults.
        let xStorage = TensorStorage(uninitializedCount: g.channels * cols), yStorage = TensorStorage(uninitializedCount: o * cols)
        defer { withExtendedLifetime((xStorage, yStorage)) {} }
        let xT = xStorage.pointer, yT = yStorage.pointer
        toChannelMajor(x, batch: g.batch, channels: g.channels, plane: g.planeIn, into: xT)
        if let bias { for r in 0..<o { (yT + r * cols).update(repeating: bias[r], count: cols) } }
        BLAS.sgemm(transA: false, transB: false, m: o, n: cols, k: g.channels, a: weight, lda: g.channels,
                   b: xT, ldb: cols, beta: bias == nil ? 0 : 1, c: yT, ldc: cols)
        fromChannelMajor(yT, batch: g.batch, channels: o, plane: g.planeIn, into: out)
    }

    static func backward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOut: UnsafePointer<Float>,
                         geometry g: ConvGeometry, outChannels o: Int,
                         gradInput: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>?) {
        let cols = g.batch * g.planeIn
        let gStorage = TensorStorage(uninitializedCount: o * cols), xStorage = TensorStorage(uninitializedCount: g.channels * cols)
        defer { withExtendedLifetime((gStorage, xStorage)) {} }
        let gT = gStorage.pointer, xT = xStorage.pointer
        toChannelMajor(gradOut, batch: g.batch, channels: o, plane: g.planeIn, into: gT)
        if let gradWeight {
            toChannelMajor(x, batch: g.batch, channels: g.channels, plane: g.planeIn, into: xT)
            BLAS.sgemm(transA: false, transB: true, m: o, n: g.channels, k: cols, a: gT, lda: cols, b: xT, ldb: cols,
                       c: gradWeight, ldc: g.channels)
        }
        if let gradInput {
            BLAS.sgemm(transA: true, transB: false, m: g.channels, n: cols, k: o, a: weight, lda: g.channels,
                       b: gT, ldb: cols, c: xT, ldc: cols)
            fromChannelMajor(xT, batch: g.batch, channels: g.channels, plane: g.planeIn, into: gradInput)
        }
    }
}
