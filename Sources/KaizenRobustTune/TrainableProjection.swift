import KaizenTensor
import KaizenNN

/// FTP, Fast Trainable Projection (Tian, Liu, Smith, Kira, "Fast Trainable Projection for Robust
/// Fine-Tuning", NeurIPS 2023), as a wrapper around any base `Optimizer` (SGD -> SGDP, AdamW -> AdamP).
///
/// Each constrained tensor W stays within a learned MARS radius of its pre-trained value W0:
/// max_i ||W_i - W0_i||_1 <= gamma, one gamma per tensor, rows along dimension 0 (see `RowLayout`).
/// Each `step()`, for every trainable parameter with a gradient:
/// 1. the base optimiser proposes the full displacement d (lr, momentum/Adam, weight decay inside);
/// 2. c_t = (p - d) - W0 and the row norms n_t = ||c_t,i||_1 + 1e-8;
/// 3. after the parameter's first step: the delayed radius gradient
///    g = sum_i <grad_i, c_{t-1,i}> / n_{t-1,i} (the clamp is ignored), times k when g > 0, drives one
///    Adam step on gamma (bias correction at the global step t), then gamma is clamped to
///    [minimumRadius, max_i n_t,i];
/// 4. p <- W0 + clamp(gamma / n_t,i, 0, 1) * c_t, and c_t, 1/n_t are kept for the next step.
/// The global step t (starting at 1) advances once per `step()`. Excluded parameters take the plain
/// base update; base moments are never projected.
///
/// Anchors are snapshots of the parameters' values when the projection is created (a parameter
/// added to `parameters` later is anchored at its value on its first step). State is keyed by
/// parameter identity and exported for checkpoints by `stateEntries()` / `loadStateEntries(_:)`.
public final class TrainableProjection: Optimizer {
    /// The optimiser proposing each displacement.
    public let base: any Optimizer
    public let configuration: FTPConfiguration
    /// The global step t of the next `step()` (1 before the first).
    public internal(set) var globalStep: Int = 1
    /// FTP state of each constrained parameter, keyed by identity.
    public internal(set) var projectionState: [ObjectIdentifier: FTPParameterState] = [:]
    private let excluded: Set<ObjectIdentifier>
    private let radiusAdam: RadiusAdam

    /// Wraps `base`. `namedParameters` (usually `model.namedParameters()`) resolves the excluded
    /// names; when `base` has no parameters yet it receives the trainable ones of this listing.
    /// Throws when a configuration value is out of range or an excluded name is unknown.
    public init(base: any Optimizer, namedParameters: [(String, Parameter)], configuration: FTPConfiguration = FTPConfiguration()) throws {
        try configuration.validate()
        excluded = try ParameterNames.resolve(configuration.excludedNames, in: namedParameters, method: "FTP")
        if base.parameters.isEmpty { base.parameters = namedParameters.map(\.1).filter { !$0.isFrozen } }
        self.base = base
        self.configuration = configuration
        radiusAdam = RadiusAdam(learningRate: configuration.radiusLearningRate, beta1: configuration.radiusBeta1,
                                beta2: configuration.radiusBeta2, epsilon: configuration.radiusEpsilon)
        for p in base.parameters where !excluded.contains(ObjectIdentifier(p)) {
            projectionState[ObjectIdentifier(p)] = FTPParameterState(anchor: p.value.copied(), radius: configuration.initialRadius)
        }
    }

    public var parameters: [Parameter] {
        get { base.parameters }
        set { base.parameters = newValue }
    }

    public var learningRate: Float {
        get { base.learningRate }
        set { base.learningRate = newValue }
    }

    /// The base optimiser's per-parameter state (momentum buffers, Adam moments).
    public var state: [ObjectIdentifier: OptimizerState] {
        get { base.state }
        set { base.state = newValue }
    }

    /// Whether `parameter` is excluded from the constraint.
    public func isExcluded(_ parameter: Parameter) -> Bool { excluded.contains(ObjectIdentifier(parameter)) }

    /// The current radius of a constrained parameter (nil when excluded or unknown).
    public func radius(of parameter: Parameter) -> Float? {
        guard !isExcluded(parameter) else { return nil }
        return projectionState[ObjectIdentifier(parameter)]?.radius
    }

    /// The displacement that takes `parameter` to its projected value, advancing the base and FTP
    /// state of that parameter (at the current global step, which only `step()` advances).
    public func proposedUpdate(for parameter: Parameter, gradient: Tensor, state s: inout OptimizerState) throws -> Tensor {
        let d = try base.proposedUpdate(for: parameter, gradient: gradient, state: &s)
        if isExcluded(parameter) { return d }
        let target = Tensor(uninitializedShape: parameter.shape)
        try project(parameter, gradient: gradient, displacement: d, into: target.basePointer)
        let pv = parameter.value.basePointer, pt = target.basePointer, pd = d.basePointer
        Parallel.forRanges(parameter.count, costPerItem: 2) { r in for i in r { pd[i] = pv[i] - pt[i] } }
        return d
    }

    /// One FTP step over every trainable parameter with a gradient, then t += 1.
    public func step() throws {
        for p in base.parameters where !p.isFrozen {
            guard let g = p.grad else { continue }
            let id = ObjectIdentifier(p)
            var s = base.state[id] ?? OptimizerState()
            let d = try base.proposedUpdate(for: p, gradient: g, state: &s)
            base.state[id] = s
            if excluded.contains(id) {
                try p.subtract(d)
            } else {
                try project(p, gradient: g, displacement: d, into: p.value.basePointer)
            }
        }
        globalStep += 1
    }

    /// Steps 2-4 of the update for one constrained parameter, writing the projected value to `out`
    /// (which may be the parameter's own storage: every element is read before it is written).
    private func project(_ p: Parameter, gradient: Tensor, displacement: Tensor, into out: UnsafeMutablePointer<Float>) throws {
        let id = ObjectIdentifier(p)
        var st = projectionState[id] ?? FTPParameterState(anchor: p.value.copied(), radius: configuration.initialRadius)
        guard st.anchor.shape == p.shape, displacement.shape == p.shape, gradient.shape == p.shape else {
            throw KaizenError.shapeMismatch(op: "FTP", detail: "parameter \(Shape.describe(p.shape)), anchor \(Shape.describe(st.anchor.shape)), displacement \(Shape.describe(displacement.shape)), gradient \(Shape.describe(gradient.shape))")
        }
        let layout = RowLayout(shape: p.shape)
        let isFirstStep = st.previousDeviation == nil || st.previousInverseNorms == nil
        let deviation = st.previousDeviation ?? Tensor(uninitializedShape: p.shape)
        let g = gradient.contiguousValues(), d = displacement.contiguousValues()
        var norms = [Float](repeating: 0, count: layout.rows)
        var dots = [Double](repeating: 0, count: layout.rows)
        norms.withUnsafeMutableBufferPointer { pn in
            dots.withUnsafeMutableBufferPointer { pdots in
                FTPKernels.deviationPass(value: p.value.basePointer, displacement: d.basePointer, anchor: st.anchor.basePointer,
                                         gradient: isFirstStep ? nil : UnsafePointer(g.basePointer), deviation: deviation.basePointer,
                                         layout: layout, norms: pn.address, dots: pdots.address)
            }
        }
        if !isFirstStep, let inverse = st.previousInverseNorms {
            var hyper = 0.0
            for i in 0..<layout.rows { hyper += dots[i] * Double(inverse[i]) }
            var gradientOfRadius = Float(hyper)
            if gradientOfRadius > 0 { gradientOfRadius *= configuration.k }
            var radius = radiusAdam.step(radius: st.radius, gradient: gradientOfRadius, m: &st.radiusMean,
                                         v: &st.radiusSquaredMean, t: globalStep)
            let largest = norms.max() ?? configuration.minimumRadius
            radius = Swift.min(Swift.max(radius, configuration.minimumRadius), largest)
            st.radius = radius
        } else {
            st.radius = configuration.initialRadius
        }
        var inverse = st.previousInverseNorms ?? [Float](repeating: 0, count: layout.rows)
        if inverse.count != layout.rows { inverse = [Float](repeating: 0, count: layout.rows) }
        norms.withUnsafeBufferPointer { pn in
            inverse.withUnsafeMutableBufferPointer { pi in
                FTPKernels.projectionPass(anchor: st.anchor.basePointer, deviation: deviation.basePointer, radius: st.radius,
                                          norms: pn.address, layout: layout, out: out, inverseNorms: pi.address)
            }
        }
        st.previousDeviation = deviation
        st.previousInverseNorms = inverse
        projectionState[id] = st
    }
}

extension Tensor {
    /// A contiguous copy with its own storage and no autograd history.
    func copied() -> Tensor {
        let src = contiguousValues()
        let out = Tensor(uninitializedShape: shape)
        out.basePointer.update(from: src.basePointer, count: src.count)
        return out
    }
}
