/// Finite-difference check of an op's backward: compares autograd gradients of
/// `sum(f(inputs) * w)` (w random, fixed) with central differences, input by input.
public enum GradientCheck {
    /// The largest discrepancy found, relative to max(1, |numeric|).
    public struct Report: Sendable, CustomStringConvertible {
        public let maxError: Float
        public let worstInput: Int
        public let worstIndex: Int
        public let analytic: Float
        public let numeric: Float
        public var description: String {
            "max error \(maxError) at input \(worstInput)[\(worstIndex)]: analytic \(analytic), numeric \(numeric)"
        }
    }

    /// Checks every element of every input (keep inputs small). `eps` is the step in input units.
    public static func run(_ inputs: [Tensor], eps: Float = 1e-2, seed: UInt64 = 7,
                           _ f: ([Tensor]) throws -> Tensor) throws -> Report {
        // Fresh storage per input: perturbing one leaf must never move another that shares its bytes.
        let leaves = try inputs.map { try Tensor(shape: $0.shape, values: $0.scalars).requiringGrad() }
        let out0 = try f(leaves)
        var rng = RandomGenerator(seed: seed)
        let w = rng.uniform(out0.shape, low: -1, high: 1)
        let loss = try (out0 * w).sum()
        try loss.backward()
        var worst = Report(maxError: 0, worstInput: -1, worstIndex: -1, analytic: 0, numeric: 0)
        for (i, leaf) in leaves.enumerated() {
            let analytic = leaf.grad?.scalars ?? [Float](repeating: 0, count: leaf.count)
            let p = leaf.basePointer
            for j in 0..<leaf.count {
                let saved = p[j]
                p[j] = saved + eps
                let plus = try noGrad { try Double((f(leaves) * w).sum().item()) }
                p[j] = saved - eps
                let minus = try noGrad { try Double((f(leaves) * w).sum().item()) }
                p[j] = saved
                let numeric = Float((plus - minus) / (2 * Double(eps)))
                let err = Swift.abs(numeric - analytic[j]) / Swift.max(1, Swift.abs(numeric))
                if err > worst.maxError {
                    worst = Report(maxError: err, worstInput: i, worstIndex: j, analytic: analytic[j], numeric: numeric)
                }
            }
        }
        return worst
    }
}
