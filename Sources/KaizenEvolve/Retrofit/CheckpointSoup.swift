import Foundation
import KaizenNN

/// Retrofitting a "model soup" (Wortsman et al., "Model soups", ICML 2022): the model's parameters
/// and floating-point buffers become a weighted average of K checkpoints of the same architecture,
/// `sum_k w_k theta_k / sum_k w_k` with non-negative weights searched for the real metric (the
/// paper's greedy soup picks 0/1 weights; AfterLearnER searches continuous ones).
///
/// Variable: `soup.weights` of shape [K] in (0, 1), initial `initialWeights` (uniform by default: the
/// uniform soup). The model's own values before the soup are what `restore` writes back.
public final class CheckpointSoup: RetrofitTarget {
    public let checkpointCount: Int
    public let initialWeights: [Double]
    /// The state-dict keys being mixed.
    public let keys: [String]
    private let tensors: [Tensor]
    private let checkpoints: [[[Float]]]
    private let originals: [[Float]]

    /// `checkpoints`: state dicts (name -> tensor); every key of the model's parameters and buffers
    /// listed in `keys` (nil: all of them) must be present with the model's shape in each checkpoint.
    public init(model: any Module, checkpoints: [[String: Tensor]], keys chosenKeys: [String]? = nil, initialWeights weights: [Double]? = nil) throws {
        guard checkpoints.count >= 1 else { throw KaizenError.invalidArgument(name: "checkpoints", detail: "need at least one state dict") }
        let live = model.namedParameters(includeShared: false).map { ($0.0, $0.1.value) } + model.namedBuffers().map { ($0.0, $0.1.value) }
        let chosen: [(String, Tensor)]
        if let chosenKeys {
            chosen = try chosenKeys.map { k in
                guard let t = live.first(where: { $0.0 == k }) else { throw KaizenError.invalidArgument(name: "keys", detail: "the model has no parameter or buffer \"\(k)\"") }
                return t
            }
        } else {
            chosen = live
        }
        var values: [[[Float]]] = []
        for (i, dict) in checkpoints.enumerated() {
            values.append(try chosen.map { name, t in
                guard let c = dict[name] else { throw KaizenError.tensorName(name: name, reason: "missing from checkpoint \(i) of the soup") }
                guard c.count == t.count, c.shape == t.shape || t.count == 1 else {
                    throw KaizenError.tensorName(name: name, reason: "checkpoint \(i) has shape \(Shape.describe(c.shape)), the model \(Shape.describe(t.shape))")
                }
                return RetrofitSupport.snapshot(c)
            })
        }
        let w = weights ?? Array(repeating: 1 / Double(checkpoints.count), count: checkpoints.count)
        guard w.count == checkpoints.count, w.allSatisfy({ $0 > 0 && $0 < 1 }) else {
            throw KaizenError.invalidArgument(name: "initialWeights", detail: "need \(checkpoints.count) weights strictly between 0 and 1")
        }
        checkpointCount = checkpoints.count
        initialWeights = w
        keys = chosen.map(\.0)
        tensors = chosen.map(\.1)
        self.checkpoints = values
        originals = tensors.map(RetrofitSupport.snapshot)
    }

    public func variables() throws -> [Variable] {
        [try Variable.continuous("soup.weights", shape: [checkpointCount], lower: 0, upper: 1, initial: initialWeights)]
    }

    public func apply(_ assignment: Assignment) throws {
        try apply(weights: try RetrofitSupport.values(assignment, "soup.weights", count: checkpointCount))
    }

    /// Writes `sum_k w_k theta_k / sum_k w_k` into the model (weights >= 0, not all zero).
    public func apply(weights: [Double]) throws {
        guard weights.count == checkpointCount, weights.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            throw KaizenError.invalidArgument(name: "weights", detail: "need \(checkpointCount) finite non-negative weights, got \(weights)")
        }
        let total = weights.reduce(0, +)
        guard total > 0 else { throw KaizenError.invalidArgument(name: "weights", detail: "must not all be zero") }
        let w = weights.map { $0 / total }
        for (j, t) in tensors.enumerated() {
            var mixed = [Float](repeating: 0, count: originals[j].count)
            mixed.withUnsafeMutableBufferPointer { out in
                for k in 0..<checkpointCount where w[k] != 0 {
                    let wk = w[k]
                    checkpoints[k][j].withUnsafeBufferPointer { src in
                        // A weight of exactly 1 copies the checkpoint bit for bit.
                        if wk == 1 { for i in 0..<out.count { out[i] = src[i] } }
                        else { for i in 0..<out.count { out[i] = Float(Double(out[i]) + wk * Double(src[i])) } }
                    }
                }
            }
            RetrofitSupport.write(mixed, into: t)
        }
    }

    public func restore() throws {
        for (j, t) in tensors.enumerated() { RetrofitSupport.write(originals[j], into: t) }
    }
}
