/// Weight initialisations with PyTorch's defaults, drawn from an explicit generator.
public enum Initializers {
    /// U(-bound, bound).
    public static func uniform(_ shape: [Int], bound: Float, rng: inout RandomGenerator) -> Tensor {
        rng.uniform(shape, low: -bound, high: bound)
    }

    /// Kaiming-uniform with leaky-ReLU slope `a`: bound = gain * sqrt(3 / fanIn), gain = sqrt(2 / (1 + a^2)).
    /// With PyTorch's layer default a = sqrt(5) the bound is 1 / sqrt(fanIn).
    public static func kaimingUniform(_ shape: [Int], fanIn: Int, a: Float = Float(5).squareRoot(),
                                      rng: inout RandomGenerator) -> Tensor {
        let gain = (2 / (1 + a * a)).squareRoot()
        let bound = gain * (3 / Float(max(fanIn, 1))).squareRoot()
        return uniform(shape, bound: bound, rng: &rng)
    }

    /// The bias bound PyTorch's Linear and Conv2d use: 1 / sqrt(fanIn).
    public static func defaultBias(_ count: Int, fanIn: Int, rng: inout RandomGenerator) -> Tensor {
        uniform([count], bound: 1 / Float(max(fanIn, 1)).squareRoot(), rng: &rng)
    }
}
