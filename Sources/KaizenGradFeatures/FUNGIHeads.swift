/// A freshly initialised, untrained linear head as FUNGI attaches to the frozen encoder:
/// PyTorch's default Linear init, W and b ~ U(-1/sqrt(in), 1/sqrt(in)), drawn from a seed.
public struct RandomLinearHead: Sendable {
    /// [outputs, inputs].
    public let weight: Tensor
    /// [outputs].
    public let bias: Tensor

    public init(inputs: Int, outputs: Int, seed: UInt64) {
        var rng = RandomGenerator(seed: seed)
        let bound = 1 / Float(Swift.max(inputs, 1)).squareRoot()
        weight = rng.uniform([outputs, inputs], low: -bound, high: bound)
        bias = rng.uniform([outputs], low: -bound, high: bound)
    }

    /// x W^T + b over the last axis of x [..., inputs].
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try x.matmul(weight.transposed()) + bias
    }
}

/// The random heads of one FUNGI run (one per objective; DINO has separate teacher and student
/// heads), each drawn from its own stream of the run's seed so that adding an objective does not
/// change the others.
public struct FUNGIHeads: Sendable {
    public let kl: RandomLinearHead
    public let dinoTeacher: RandomLinearHead
    public let dinoStudent: RandomLinearHead
    public let simclr: RandomLinearHead

    public init(embeddingDimension d: Int, kl klConfig: KLObjectiveConfiguration, dino: DINOObjectiveConfiguration,
                simclr simclrConfig: SimCLRObjectiveConfiguration, objectives: [FUNGIObjective], seed: UInt64) {
        // Heads of objectives not computed are empty (no point drawing a 2048 x 1280 matrix).
        func head(_ o: FUNGIObjective, _ outputs: Int, _ stream: UInt64) -> RandomLinearHead {
            RandomLinearHead(inputs: d, outputs: objectives.contains(o) ? outputs : 0, seed: CounterHash.mix(seed, stream))
        }
        kl = head(.kl, klConfig.outputs, 101)
        dinoTeacher = head(.dino, dino.outputs, 102)
        dinoStudent = head(.dino, dino.outputs, 103)
        simclr = head(.simclr, simclrConfig.outputs, 104)
    }
}
