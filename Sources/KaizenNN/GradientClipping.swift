/// Gradient clipping by the global L2 norm over a set of parameters (PyTorch's `clip_grad_norm_`).
public enum GradientClipping {
    /// Scales every gradient by maxNorm / (total + 1e-6) when that factor is below 1, and returns
    /// the total norm before clipping. Gradients are replaced, never mutated in place (backward may
    /// share one buffer between parameters). Throws on a non-finite norm when `errorIfNonfinite`.
    @discardableResult
    public static func clipByGlobalNorm(_ parameters: [Parameter], maxNorm: Float,
                                        errorIfNonfinite: Bool = false) throws -> Float {
        guard maxNorm > 0 else {
            throw KaizenError.invalidArgument(name: "maxNorm", detail: "clipByGlobalNorm: must be > 0, got \(maxNorm)")
        }
        var sumSquares = 0.0
        var seen = Set<ObjectIdentifier>()
        var withGrad: [(Parameter, Tensor)] = []
        for p in parameters where seen.insert(ObjectIdentifier(p)).inserted {
            guard let g = p.grad?.contiguousValues() else { continue }
            let pg = g.basePointer
            for i in 0..<g.count { sumSquares += Double(pg[i]) * Double(pg[i]) }
            withGrad.append((p, g))
        }
        let total = Float(sumSquares.squareRoot())
        if !total.isFinite && errorIfNonfinite {
            throw KaizenError.numerical(detail: "gradient norm is \(total); check the loss and learning rate")
        }
        let coefficient = maxNorm / (total + 1e-6)
        if coefficient < 1 {
            for (p, g) in withGrad { p.grad = g.map { $0 * coefficient } }
        }
        return total
    }
}
