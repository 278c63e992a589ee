/// Per-sample gradients of one linear map y = W a + b, for a whole batch at once.
///
/// The trick that makes them cheap: cut the graph at the layer's output (`LayerGradientProbe`),
/// run the rest of the network and one backward pass, which stops at the cut. With the output
/// gradient g [B, T, Dout] and the saved input a [B, T, Din], each sample's weight gradient is
/// the sum over its tokens (or spatial positions) of the outer products g_t a_t^T, one batched GEMM.
public enum PerSampleGradients {
    /// G[s] = sum_t g[s,t] a[s,t]^T with the bias gradient sum_t g[s,t] appended as the last column:
    /// [B, Dout, Din + 1], row i = [dW[i, :], db[i]] (FUNGI's flattening order).
    public static func linear(input a: Tensor, outputGradient g: Tensor, includeBias: Bool = true) throws -> Tensor {
        guard a.rank == 3, g.rank == 3, a.shape[0] == g.shape[0], a.shape[1] == g.shape[1] else {
            throw KaizenError.shapeMismatch(op: "PerSampleGradients.linear",
                                            detail: "input \(Shape.describe(a.shape)) and output gradient \(Shape.describe(g.shape)) must be [B, T, D] with equal B and T")
        }
        return try noGrad {
            let b = a.shape[0], din = a.shape[2], dout = g.shape[2]
            let weight = try g.transposed(1, 2).matmul(a)  // [B, Dout, Din]
            guard includeBias else { return weight }
            let bias = try g.sum(axes: [1]).reshaped([b, dout, 1])
            // Interleave rows: [dW[i,:], db[i]].
            let out = Tensor(uninitializedShape: [b, dout, din + 1])
            let pw = weight.contiguousValues().basePointer, pb = bias.contiguousValues().basePointer, po = out.basePointer
            for s in 0..<b {
                for i in 0..<dout {
                    (po + (s * dout + i) * (din + 1)).update(from: pw + (s * dout + i) * din, count: din)
                    po[(s * dout + i) * (din + 1) + din] = pb[s * dout + i]
                }
            }
            return out
        }
    }
}

/// Cuts the graph at a layer's output so that backward stops there: the output becomes a leaf
/// whose `grad` after backward is dL/dy for every sample and token.
public struct LayerGradientProbe {
    /// The leaf standing in for the layer output; feed it to the rest of the network.
    public let output: Tensor

    public init(layerOutput: Tensor) { output = layerOutput.detached().requiringGrad() }

    /// dL/dy after `backward()`; throws if backward has not reached the probe.
    public func outputGradient() throws -> Tensor {
        guard let g = output.grad else {
            throw KaizenError.invalidArgument(name: "probe", detail: "no gradient reached the probed layer; call backward() on a loss that depends on it")
        }
        return g
    }
}
