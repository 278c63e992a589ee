import Foundation

/// The gradient-based alternative to retrofitting logit offsets and temperature: fits a temperature
/// T and per-class biases b of `softmax(logits / T + b)` by gradient descent on the validation
/// cross-entropy (temperature scaling, Guo et al. 2017, with the per-class bias of "vector
/// scaling" restricted to offsets). It optimises a differentiable surrogate, not the real metric,
/// which is what AfterLearnER is compared against.
public struct GradientCalibration: Sendable {
    /// Settings of the descent.
    public struct Configuration: Sendable {
        /// Full-batch gradient steps.
        public var iterations = 500
        /// Step size on (log T, b).
        public var learningRate = 0.5
        /// Whether T is fitted (otherwise 1).
        public var fitTemperature = true
        public init() {}
    }

    public var configuration: Configuration
    public init(configuration: Configuration = Configuration()) { self.configuration = configuration }

    /// The fitted temperature and offsets for row-major [N, C] logits.
    public func fit(logits: [Float], classes c: Int, labels: [Int]) throws -> (temperature: Double, offsets: [Double]) {
        guard c > 0, logits.count == labels.count * c, !labels.isEmpty else {
            throw KaizenError.shapeMismatch(op: "GradientCalibration", detail: "\(logits.count) logits for \(labels.count) labels of \(c) classes")
        }
        guard labels.allSatisfy({ $0 >= 0 && $0 < c }) else { throw KaizenError.invalidArgument(name: "labels", detail: "must lie in 0..<\(c)") }
        var logT = 0.0, b = [Double](repeating: 0, count: c)
        for _ in 0..<configuration.iterations {
            let g = Self.lossAndGradient(logits, c, labels, logT: logT, offsets: b)
            if configuration.fitTemperature { logT -= configuration.learningRate * g.dLogT }
            for j in 0..<c { b[j] -= configuration.learningRate * g.dOffsets[j] }
        }
        return (Foundation.exp(logT), b)
    }

    /// Mean cross-entropy of softmax(logits * exp(-logT) + b) and its gradient.
    static func lossAndGradient(_ logits: [Float], _ c: Int, _ labels: [Int], logT: Double, offsets b: [Double]) -> (loss: Double, dLogT: Double, dOffsets: [Double]) {
        let n = labels.count, invT = Foundation.exp(-logT)
        var loss = 0.0, dLogT = 0.0, dB = [Double](repeating: 0, count: c)
        var z = [Double](repeating: 0, count: c)
        for i in 0..<n {
            var m = -Double.infinity
            for j in 0..<c { z[j] = Double(logits[i * c + j]) * invT + b[j]; m = max(m, z[j]) }
            var total = 0.0
            for j in 0..<c { total += Foundation.exp(z[j] - m) }
            loss += m + Foundation.log(total) - z[labels[i]]
            for j in 0..<c {
                let residual = Foundation.exp(z[j] - m) / total - (j == labels[i] ? 1 : 0)
                dB[j] += residual
                // d z_j / d logT = -logits_j / T.
                dLogT -= residual * Double(logits[i * c + j]) * invT
            }
        }
        let scale = 1 / Double(n)
        return (loss * scale, dLogT * scale, dB.map { $0 * scale })
    }
}
