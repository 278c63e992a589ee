import Foundation

/// ActiveFT core selection (CVPR'23, official code form): K centroids start at K distinct random
/// samples of the L2-normalised features, Adam minimises `ActiveFTObjective` for a fixed number of
/// full-batch steps, and the centroids are mapped back to K distinct samples greedily.
public struct ActiveFT: Sendable {
    public var temperature: Float = 0.07
    public var learningRate: Float = 1e-3
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    public var steps = 300
    /// Feature rows per similarity block.
    public var blockRows = 4096
    /// Skip rows whose nearest centroid provably cannot have changed (same results, less work).
    public var usesBounds = true

    public init(steps: Int = 300) { self.steps = steps }

    public struct Output: Sendable {
        /// The selected sample ids, ascending.
        public var cores: [Int]
        /// Loss before each step (losses[0] is at the initial centroids).
        public var losses: [Double]
        /// Final centroids, L2-normalised, [K, d].
        public var centroids: Tensor
        /// Similarity rows computed over all steps (N per step without bounds).
        public var rowsComputed: Int
    }

    /// Selects `count` cores, initialised from `count` distinct samples drawn with `seed`.
    public func select(features: Tensor, count: Int, seed: UInt64,
                       progress: ProgressHandler? = nil) throws(KaizenError) -> Output {
        guard features.rank == 2 else {
            throw .shapeMismatch(op: "ActiveFT", detail: "features must be [N, d], got \(Shape.describe(features.shape))")
        }
        let n = features.shape[0]
        guard count >= 1, count <= n else {
            throw .invalidArgument(name: "--budget", detail: "ActiveFT needs 1...\(n) cores, got \(count)")
        }
        var rng = RandomGenerator(seed: seed)
        let initial = Array(rng.permutation(n).prefix(count))
        return try select(features: features, initialIds: initial, progress: progress)
    }

    /// Selects cores starting from the features of `initialIds`.
    public func select(features: Tensor, initialIds: [Int],
                       progress: ProgressHandler? = nil) throws(KaizenError) -> Output {
        guard features.rank == 2 else {
            throw .shapeMismatch(op: "ActiveFT", detail: "features must be [N, d], got \(Shape.describe(features.shape))")
        }
        let n = features.shape[0], d = features.shape[1], k = initialIds.count
        guard k >= 1, Set(initialIds).count == k, initialIds.allSatisfy({ $0 >= 0 && $0 < n }) else {
            throw .invalidArgument(name: "initialIds", detail: "need 1...\(n) distinct sample ids in 0..<\(n)")
        }
        let x = FeatureMath.l2Normalised(features)
        let px = UnsafePointer(x.basePointer)
        var theta = [Float](repeating: 0, count: k * d)
        for (j, id) in initialIds.enumerated() {
            for t in 0..<d { theta[j * d + t] = px[id * d + t] }
        }
        var objective = ActiveFTObjective(features: px, n: n, d: d, temperature: temperature, blockRows: blockRows,
                                          usesBounds: usesBounds)
        var gradient = [Float](repeating: 0, count: k * d)
        var m = [Float](repeating: 0, count: k * d)
        var v = [Float](repeating: 0, count: k * d)
        var losses: [Double] = []
        var rowsComputed = 0
        losses.reserveCapacity(steps)
        progress?(0, steps)
        for step in stride(from: 1, through: steps, by: 1) {
            let loss = theta.withUnsafeBufferPointer { pt in
                gradient.withUnsafeMutableBufferPointer { pg in
                    objective.evaluate(theta: pt.address, k: k, gradient: pg.address)
                }
            }
            guard loss.isFinite else { throw .numerical(detail: "ActiveFT loss became \(loss) at step \(step)") }
            losses.append(loss)
            rowsComputed += objective.assignment.recomputedRows
            adamStep(theta: &theta, gradient: gradient, m: &m, v: &v, step: step)
            progress?(step, steps)
        }
        // Map back to real samples.
        let centroids = Tensor(uninitializedShape: [k, d])
        let pc = centroids.basePointer
        for j in 0..<k {
            let r = theta.withUnsafeBufferPointer { max(Kernels.dot($0.address + j * d, $0.address + j * d, d).squareRoot(), 1e-12) }
            for t in 0..<d { pc[j * d + t] = theta[j * d + t] / r }
        }
        let ids = GreedyUniqueMapping.assign(points: px, n: n, d: d, centroids: UnsafePointer(pc), k: k,
                                             bias: nil, blockRows: blockRows)
        return Output(cores: ids.sorted(), losses: losses, centroids: centroids, rowsComputed: rowsComputed)
    }

    /// The loss and its gradient at `theta` [K, d] for L2-normalised `features` (for tests and tools).
    public func lossAndGradient(normalisedFeatures: Tensor, theta: Tensor) -> (loss: Double, gradient: Tensor) {
        let x = normalisedFeatures.contiguousValues(), th = theta.contiguousValues()
        let k = th.shape[0]
        var objective = ActiveFTObjective(features: UnsafePointer(x.basePointer), n: x.shape[0], d: x.shape[1],
                                          temperature: temperature, blockRows: blockRows, usesBounds: usesBounds)
        let gradient = Tensor(uninitializedShape: th.shape)
        let loss = objective.evaluate(theta: UnsafePointer(th.basePointer), k: k, gradient: gradient.basePointer)
        return (loss, gradient)
    }

    /// PyTorch's Adam update (bias corrections applied as step size and denominator).
    private func adamStep(theta: inout [Float], gradient: [Float], m: inout [Float], v: inout [Float], step: Int) {
        let bc1 = 1 - Foundation.pow(Double(beta1), Double(step))
        let bc2 = 1 - Foundation.pow(Double(beta2), Double(step))
        let stepSize = Float(Double(learningRate) / bc1)
        let bc2Sqrt = Float(bc2.squareRoot())
        let b1 = beta1, b2 = beta2, eps = epsilon
        for i in 0..<theta.count {
            let g = gradient[i]
            m[i] = m[i] * b1 + (1 - b1) * g
            v[i] = v[i] * b2 + (1 - b2) * g * g
            let denom = v[i].squareRoot() / bc2Sqrt + eps
            theta[i] -= stepSize * m[i] / denom
        }
    }
}
