import Foundation
import KaizenNN

/// Retrofitting BatchNorm running statistics to a new domain: for chosen `BatchNorm2d` layers, the
/// mean and variance become `(1 - a) * source + a * target`, where `target` are statistics estimated
/// on unlabeled target-domain images (AdaBN, Li et al. 2016, re-estimates them fully: a = 1;
/// Schneider et al. 2020 mix them with a fixed prior weight; here the weights a are searched for the
/// real metric). One weight per layer or one global weight; optionally one log-scaled multiplier of
/// each layer's affine weight (gamma).
///
/// Variables: `bn.mix` of shape [L] (or [] when global) in (-0.5, 1.5), initial 0 (the source model;
/// weights outside [0, 1] extrapolate and mixed variances are floored at 1e-12); with
/// `scaleAffine`, `bn.gamma_scale` of shape [L] in [0.5, 2] (log scale), initial 1.
public final class BatchNormStatisticsMixing: RetrofitTarget {
    /// How the mixing weights are shared.
    public enum Sharing: Sendable { case perLayer, global }

    public let layerNames: [String]
    public let sharing: Sharing
    public let scaleAffine: Bool
    private let layers: [BatchNorm2d]
    private let sourceMean: [[Float]], sourceVar: [[Float]], sourceGamma: [[Float]?]
    /// Target-domain statistics per layer (nil until `estimateTargetStatistics` or `setTargetStatistics`).
    public private(set) var targetMean: [[Float]]?, targetVar: [[Float]]?

    /// `layers`: dotted names of BatchNorm2d modules (nil: all of them).
    public init(model: any Module, layers names: [String]? = nil, sharing: Sharing = .perLayer, scaleAffine: Bool = false) throws {
        let found = try RetrofitSupport.modules(model, names: names, as: BatchNorm2d.self, what: "BatchNorm2d")
        for (n, bn) in found where !bn.tracksRunningStats {
            throw KaizenError.invalidArgument(name: "layers", detail: "BatchNorm2d \"\(n)\" keeps no running statistics")
        }
        layerNames = found.map(\.0)
        layers = found.map(\.1)
        self.sharing = sharing
        self.scaleAffine = scaleAffine
        sourceMean = layers.map { RetrofitSupport.snapshot($0.runningMean.value) }
        sourceVar = layers.map { RetrofitSupport.snapshot($0.runningVar.value) }
        sourceGamma = layers.map { $0.weight.map { RetrofitSupport.snapshot($0.value) } }
    }

    /// Estimates the target statistics of every chosen layer from unlabeled `images` [N, C, H, W]:
    /// batches of `batchSize` go through `forward` with only the chosen BatchNorm layers in training
    /// mode (the rest of the model as it is), each batch's mean and unbiased variance are recovered
    /// from the running-statistics update and averaged over batches (PyTorch's cumulative average).
    /// The model's statistics and modes are restored afterwards.
    public func estimateTargetStatistics(images: Tensor, batchSize: Int = 64, forward: (Tensor) throws -> Tensor) throws {
        guard images.rank == 4, images.shape[0] > 0 else {
            throw KaizenError.shapeMismatch(op: "estimateTargetStatistics", detail: "images must be [N, C, H, W] with N > 0, got \(Shape.describe(images.shape))")
        }
        guard batchSize >= 2 else { throw KaizenError.invalidArgument(name: "batchSize", detail: "must be at least 2 for a variance, got \(batchSize)") }
        if let (name, _) = zip(layerNames, layers).first(where: { !($0.1.momentum > 0) }) {
            throw KaizenError.invalidArgument(name: "layers", detail: "BatchNorm2d \"\(name)\" has momentum 0: its batch statistics cannot be recovered")
        }
        let n = images.shape[0], per = images.count / n
        let all = images.contiguousValues().scalars
        var sumMean = layers.map { [Double](repeating: 0, count: $0.numFeatures) }
        var sumVar = sumMean
        var batches = 0
        let modes = layers.map(\.trainingMode)
        let before = layers.map { (RetrofitSupport.snapshot($0.runningMean.value), RetrofitSupport.snapshot($0.runningVar.value), RetrofitSupport.snapshot($0.numBatchesTracked.value)) }
        defer {
            for (i, bn) in layers.enumerated() {
                bn.trainingMode = modes[i]
                RetrofitSupport.write(before[i].0, into: bn.runningMean.value)
                RetrofitSupport.write(before[i].1, into: bn.runningVar.value)
                RetrofitSupport.write(before[i].2, into: bn.numBatchesTracked.value)
            }
        }
        for bn in layers { bn.trainingMode = true }
        var start = 0
        while start < n {
            let count = min(batchSize, n - start)
            // A last batch of one image has no variance: fold it into the previous batch instead.
            if count < 2 { break }
            let take = (n - start - count) == 1 ? count + 1 : count
            let batch = try Tensor(shape: [take] + Array(images.shape.dropFirst()), values: Array(all[(start * per)..<((start + take) * per)]))
            let old = layers.map { (RetrofitSupport.snapshot($0.runningMean.value), RetrofitSupport.snapshot($0.runningVar.value)) }
            _ = try forward(batch)
            for (i, bn) in layers.enumerated() {
                // running = (1 - m) old + m batch  =>  batch = (running - (1 - m) old) / m.
                let m = Double(bn.momentum)
                let newMean = RetrofitSupport.snapshot(bn.runningMean.value), newVar = RetrofitSupport.snapshot(bn.runningVar.value)
                for c in 0..<bn.numFeatures {
                    sumMean[i][c] += (Double(newMean[c]) - (1 - m) * Double(old[i].0[c])) / m
                    sumVar[i][c] += (Double(newVar[c]) - (1 - m) * Double(old[i].1[c])) / m
                }
            }
            batches += 1
            start += take
        }
        guard batches > 0 else { throw KaizenError.invalidArgument(name: "images", detail: "need at least 2 images to estimate statistics, got \(n)") }
        targetMean = sumMean.map { $0.map { Float($0 / Double(batches)) } }
        targetVar = sumVar.map { $0.map { Float(Swift.max($0 / Double(batches), 0)) } }
    }

    /// Sets the target statistics directly (one mean and variance array per chosen layer).
    public func setTargetStatistics(mean: [[Float]], variance: [[Float]]) throws {
        guard mean.count == layers.count, variance.count == layers.count,
              zip(layers, zip(mean, variance)).allSatisfy({ $0.numFeatures == $1.0.count && $0.numFeatures == $1.1.count }) else {
            throw KaizenError.shapeMismatch(op: "setTargetStatistics", detail: "need one mean and variance of each chosen layer's width (\(layers.map(\.numFeatures)))")
        }
        targetMean = mean
        targetVar = variance
    }

    public func variables() throws -> [Variable] {
        var v = [try Variable.continuous("bn.mix", shape: sharing == .global ? [] : [layers.count], lower: -0.5, upper: 1.5, initial: [0])]
        if scaleAffine {
            v.append(try Variable.continuous("bn.gamma_scale", shape: [layers.count], lower: 0.5, upper: 2, log: true, initial: [1]))
        }
        return v
    }

    public func apply(_ assignment: Assignment) throws {
        let mix = try RetrofitSupport.values(assignment, "bn.mix", count: sharing == .global ? 1 : layers.count)
        let gamma = scaleAffine ? try RetrofitSupport.values(assignment, "bn.gamma_scale", count: layers.count) : nil
        try apply(mix: layers.indices.map { mix[sharing == .global ? 0 : $0] }, gammaScale: gamma)
    }

    /// Mixes with one weight per chosen layer (0: source, 1: target) and optional gamma multipliers.
    public func apply(mix: [Double], gammaScale: [Double]? = nil) throws {
        guard mix.count == layers.count else {
            throw KaizenError.shapeMismatch(op: "BatchNormStatisticsMixing", detail: "\(mix.count) mixing weights for \(layers.count) layers")
        }
        let needsTarget = mix.contains { $0 != 0 }
        guard !needsTarget || (targetMean != nil && targetVar != nil) else {
            throw KaizenError.invalidArgument(name: "target statistics", detail: "call estimateTargetStatistics(images:forward:) before mixing")
        }
        for (i, bn) in layers.enumerated() {
            let a = mix[i]
            if a == 0 {
                RetrofitSupport.write(sourceMean[i], into: bn.runningMean.value)
                RetrofitSupport.write(sourceVar[i], into: bn.runningVar.value)
            } else if let tm = targetMean?[i], let tv = targetVar?[i] {
                let m = (0..<bn.numFeatures).map { c in Float((1 - a) * Double(sourceMean[i][c]) + a * Double(tm[c])) }
                let v = (0..<bn.numFeatures).map { c in Float(Swift.max((1 - a) * Double(sourceVar[i][c]) + a * Double(tv[c]), 1e-12)) }
                RetrofitSupport.write(m, into: bn.runningMean.value)
                RetrofitSupport.write(v, into: bn.runningVar.value)
            }
            if let w = bn.weight, let g = sourceGamma[i] {
                let s = Float(gammaScale?[i] ?? 1)
                RetrofitSupport.write(s == 1 ? g : g.map { $0 * s }, into: w.value)
            }
        }
    }

    public func restore() throws { try apply(mix: Array(repeating: 0, count: layers.count)) }
}
