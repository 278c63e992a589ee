import KaizenTensor
import KaizenNN

/// Hyper-parameters of TPGM (Trainable Projected Gradient Method; Tian, Ren, Zhu, Kira, Liu, CVPR 2023),
/// with the defaults of the official code for ResNets on DomainNet.
public struct TPGMConfiguration: Sendable, Equatable {
    /// Which norm bounds the deviation W - W0 of each tensor.
    public enum Norm: String, Sendable, Equatable {
        /// MARS: maximum absolute row sum, one L1 norm per row along dim 0 (1-D: whole vector). ResNets.
        case mars
        /// The L2 norm of the whole tensor (`norm_mode = "l2"`, used for ViTs).
        case l2
    }

    /// The constraint norm.
    public var norm: Norm = .mars
    /// Learning rate of the Adam update on the radii.
    public var learningRate: Float = 1e-2
    /// Adam beta1 of the radius update.
    public var beta1: Float = 0.9
    /// Adam beta2 of the radius update.
    public var beta2: Float = 0.999
    /// Adam epsilon of the radius update.
    public var epsilon: Float = 1e-8
    /// Radius updates (validation forward+backward each) per projection (`max_iters`; 1 on DomainNet).
    public var maxIterations: Int = 1
    /// Lower clamp of each radius (the upper clamp is the largest current norm).
    public var minimumRadius: Float = 1e-8
    /// Dotted names of parameters left unconstrained (a new head).
    public var excludedNames: Set<String> = []

    public init(norm: Norm = .mars, learningRate: Float = 1e-2, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, maxIterations: Int = 1, minimumRadius: Float = 1e-8, excludedNames: Set<String> = []) {
        self.norm = norm
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.maxIterations = maxIterations
        self.minimumRadius = minimumRadius
        self.excludedNames = excludedNames
    }
}

/// TPGM (Tian et al., CVPR 2023): after each training step, learn one radius per constrained tensor
/// on held-out validation data and project the weights into W0 + {c : ||c|| <= gamma}.
///
/// A projection runs `maxIterations` times: write the projected weights
/// W(gamma) = W0 + clamp(gamma / n_i, 0, 1) * c_i (c = the unprojected weights - W0, n_i = ||c_i|| + 1e-8,
/// per row for MARS, whole tensor for L2) into the model, evaluate the validation loss in evaluation
/// mode, backpropagate, and take one Adam step on each gamma with the exact derivative of that
/// differentiable projection, dL/dgamma = sum_i [gamma < n_i] <dL/dW_i, c_i> / n_i (the clamp passes
/// no gradient where it is active), then clamp gamma to [minimumRadius, max_i n_i]. Finally the model
/// keeps W(gamma) with the updated radii. Radii start at min_i n_i / 2 on the first projection.
/// The model is modified in place instead of being deep-copied; parameter gradients are cleared.
public final class TPGMProjection {
    /// TPGM's state for one constrained tensor.
    public struct ParameterState {
        public var anchor: Tensor
        /// nil until the first projection.
        public var radius: Float?
        public var radiusMean: Float = 0
        public var radiusSquaredMean: Float = 0
        /// Adam steps taken on this radius.
        public var radiusSteps: Int = 0
    }

    public let configuration: TPGMConfiguration
    /// The constrained parameters with their names, in model order.
    public let constrained: [(String, Parameter)]
    public private(set) var states: [ObjectIdentifier: ParameterState] = [:]
    private let model: any Module
    private let adam: RadiusAdam

    /// Anchors every trainable, non-excluded parameter of `model` at its current value.
    /// Throws when an excluded name is unknown or `maxIterations` < 1.
    public init(model: any Module, configuration: TPGMConfiguration = TPGMConfiguration()) throws {
        guard configuration.maxIterations >= 1 else {
            throw KaizenError.invalidArgument(name: "maxIterations", detail: "TPGM: needs at least 1 radius update per projection, got \(configuration.maxIterations)")
        }
        let named = model.namedParameters()
        let excluded = try ParameterNames.resolve(configuration.excludedNames, in: named, method: "TPGM")
        self.model = model
        self.configuration = configuration
        adam = RadiusAdam(learningRate: configuration.learningRate, beta1: configuration.beta1, beta2: configuration.beta2,
                          epsilon: configuration.epsilon)
        constrained = named.filter { !$0.1.isFrozen && !excluded.contains(ObjectIdentifier($0.1)) }
        for (_, p) in constrained { states[ObjectIdentifier(p)] = ParameterState(anchor: p.value.copied()) }
    }

    /// The radius of a constrained parameter (nil before the first projection or when unconstrained).
    public func radius(of parameter: Parameter) -> Float? { states[ObjectIdentifier(parameter)]?.radius }

    /// The norms n_i (+1e-8) of `deviation` under the configured norm: per row for MARS, one for L2.
    public func norms(of deviation: Tensor) -> [Float] {
        switch configuration.norm {
        case .mars: return RowLayout.rowL1Norms(deviation).map { $0 + 1e-8 }
        case .l2:
            let c = deviation.contiguousValues()
            return [Float(RowKernels.squaredNorm(c.basePointer, c.count).squareRoot()) + 1e-8]
        }
    }

    /// One TPGM projection after a training step. `validationLoss` computes the loss of the model on
    /// a held-out batch (the model is in evaluation mode while it runs; its mode is restored after).
    public func project(validationLoss: () throws -> Tensor) throws {
        let wasTraining = model.trainingMode
        model.eval()
        defer { model.train(wasTraining) }
        // Unprojected deviations c and their norms, fixed for this projection.
        var deviations: [Tensor] = []
        var allNorms: [[Float]] = []
        for (_, p) in constrained {
            guard let s = states[ObjectIdentifier(p)] else { continue }
            let c = try (p.value.detached() - s.anchor).contiguousValues().copied()
            deviations.append(c)
            let n = norms(of: c)
            allNorms.append(n)
            if s.radius == nil { states[ObjectIdentifier(p)]?.radius = (n.min() ?? 0) / 2 }
        }
        for _ in 0..<configuration.maxIterations {
            try writeProjection(deviations, allNorms)
            for (_, p) in constrained { p.zeroGrad() }
            let loss = try validationLoss()
            try loss.backward()
            for (k, (name, p)) in constrained.enumerated() {
                let id = ObjectIdentifier(p)
                guard var s = states[id], let radius = s.radius else { continue }
                let g = try radiusGradient(p.grad, deviation: deviations[k], norms: allNorms[k], radius: radius, name: name)
                s.radiusSteps += 1
                let updated = adam.step(radius: radius, gradient: g, m: &s.radiusMean, v: &s.radiusSquaredMean, t: s.radiusSteps)
                s.radius = Swift.min(Swift.max(updated, configuration.minimumRadius), allNorms[k].max() ?? configuration.minimumRadius)
                states[id] = s
            }
        }
        try writeProjection(deviations, allNorms)
        for (_, p) in model.namedParameters() { p.zeroGrad() }
    }

    /// dL/dgamma of the projection for one tensor: sum over active rows of <grad_i, c_i> / n_i.
    func radiusGradient(_ gradient: Tensor?, deviation: Tensor, norms: [Float], radius: Float, name: String) throws -> Float {
        guard let gradient else { return 0 }
        guard gradient.shape == deviation.shape else {
            throw KaizenError.shapeMismatch(op: "TPGM", detail: "gradient of '\(name)' \(Shape.describe(gradient.shape)) vs parameter \(Shape.describe(deviation.shape))")
        }
        let g = gradient.contiguousValues()
        let len = norms.count == 1 ? deviation.count : RowLayout(shape: deviation.shape).rowLength
        var total = 0.0
        for (i, n) in norms.enumerated() where radius / n <= 1 {
            total += RowKernels.dot(g.basePointer + i * len, deviation.basePointer + i * len, len) / Double(n)
        }
        return Float(total)
    }

    /// Writes W0 + clamp(gamma / n_i, 0, 1) * c_i into every constrained parameter.
    private func writeProjection(_ deviations: [Tensor], _ allNorms: [[Float]]) throws {
        for (k, (_, p)) in constrained.enumerated() {
            guard let s = states[ObjectIdentifier(p)], let radius = s.radius else { continue }
            let norms = allNorms[k]
            let len = norms.count == 1 ? p.count : RowLayout(shape: p.shape).rowLength
            let pa = s.anchor.basePointer, pc = deviations[k].basePointer
            p.withMutableValues { out in
                let po = out.address
                for (i, n) in norms.enumerated() {
                    let scale = Swift.min(Swift.max(radius / n, 0), 1)
                    for a in (i * len)..<((i + 1) * len) { po[a] = pa[a] + scale * pc[a] }
                }
            }
        }
    }
}
