/// Dense (and grouped) convolution as matrix products, one image at a time: a 1x1/stride-1
/// unpadded conv multiplies the weight by the image itself; any other kernel goes through
/// `Im2Col`. All transposes are BLAS flags.
enum DenseConvKernels {
    /// Whether the conv is a plain matrix product over the pixels of each image.
    static func isPointwise(_ g: ConvGeometry) -> Bool {
        g.kernelH == 1 && g.kernelW == 1 && g.strideH == 1 && g.strideW == 1 && g.padding.isZero
    }

    /// out [N, O, OH, OW] = conv(x [N, C, H, W], weight [O, C/groups, kh, kw]) + bias.
    static func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        out: UnsafeMutablePointer<Float>, geometry g: ConvGeometry, outChannels: Int, groups: Int) {
        let cg = g.channels / groups, og = outChannels / groups, k = cg * g.taps, p = g.planeOut
        let pointwise = isPointwise(g)
        // Scratch from TensorStorage: large buffers come back from its mapping cache without page faults.
        let scratch = pointwise ? nil : TensorStorage(uninitializedCount: k * p)
        defer { withExtendedLifetime(scratch) {} }
        let columns = scratch?.pointer
        for n in 0..<g.batch {
            let image = x + n * g.channels * g.planeIn
            let outImage = out + n * outChannels * p
            if let bias {
                for o in 0..<outChannels { (outImage + o * p).update(repeating: bias[o], count: p) }
            }
            for grp in 0..<groups {
                let rhs: UnsafePointer<Float>
                if let columns {
                    Im2Col.unfold(image, channelRange: grp * cg..<(grp + 1) * cg, geometry: g, into: columns)
                    rhs = UnsafePointer(columns)
                } else {
                    rhs = image + grp * cg * p
                }
                BLAS.sgemm(transA: false, transB: false, m: og, n: p, k: k, a: weight + grp * og * k, lda: k,
                           b: rhs, ldb: p, beta: bias == nil ? 0 : 1, c: outImage + grp * og * p, ldc: p)
            }
        }
    }

    /// Gradients of the input (when `gradInput` is given; overwritten) and of the weight (when
    /// `gradWeight` is given; overwritten) from the output gradient `gradOut` [N, O, OH, OW].
    static func backward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOut: UnsafePointer<Float>,
                         geometry g: ConvGeometry, outChannels: Int, groups: Int,
                         gradInput: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>?) {
        let cg = g.channels / groups, og = outChannels / groups, k = cg * g.taps, p = g.planeOut
        let pointwise = isPointwise(g)
        // Scratch from TensorStorage: large buffers come back from its mapping cache without page faults.
        let scratch = pointwise ? nil : TensorStorage(uninitializedCount: k * p)
        defer { withExtendedLifetime(scratch) {} }
        let columns = scratch?.pointer
        if let gradInput, !pointwise { gradInput.update(repeating: 0, count: g.batch * g.channels * g.planeIn) }
        for n in 0..<g.batch {
            let image = x + n * g.channels * g.planeIn
            let gOutImage = gradOut + n * outChannels * p
            for grp in 0..<groups {
                let w = weight + grp * og * k, gOut = gOutImage + grp * og * p
                let channelRange = grp * cg..<(grp + 1) * cg
                if let gradWeight {
                    let rhs: UnsafePointer<Float>
                    if let columns {
                        Im2Col.unfold(image, channelRange: channelRange, geometry: g, into: columns)
                        rhs = UnsafePointer(columns)
                    } else {
                        rhs = image + grp * cg * p
                    }
                    // gW_g += gOut_g [og, p] * columns^T [p, k]
                    BLAS.sgemm(transA: false, transB: true, m: og, n: k, k: p, a: gOut, lda: p, b: rhs, ldb: p,
                               beta: n == 0 ? 0 : 1, c: gradWeight + grp * og * k, ldc: k)
                }
                if let gradInput {
                    let gImage = gradInput + n * g.channels * g.planeIn
                    if let columns {
                        // gColumns [k, p] = W_g^T [k, og] * gOut_g [og, p], then fold back.
                        BLAS.sgemm(transA: true, transB: false, m: k, n: p, k: og, a: w, lda: k, b: gOut, ldb: p,
                                   c: columns, ldc: p)
                        Im2Col.fold(columns, channelRange: channelRange, geometry: g, into: gImage)
                    } else {
                        BLAS.sgemm(transA: true, transB: false, m: cg, n: p, k: og, a: w, lda: k, b: gOut, ldb: p,
                                   c: gImage + grp * cg * p, ldc: p)
                    }
                }
            }
        }
    }
}
