import KaizenTensor
import KaizenNN

/// Hyper-parameters of FTP (Fast Trainable Projection; Tian, Liu, Smith, Kira, NeurIPS 2023), with
/// the defaults of the official implementation.
public struct FTPConfiguration: Sendable, Equatable {
    /// Positive-gradient annealing k in [0, 1]: a radius gradient > 0 (the loss wants a tighter
    /// radius) is multiplied by k; negative gradients are never scaled. 1 is the default and strongest.
    public var k: Float = 1
    /// Learning rate mu of the Adam update on each radius ("AdamUtil"); not scheduled with the base LR.
    public var radiusLearningRate: Float = 1e-2
    /// Adam beta1 of the radius update.
    public var radiusBeta1: Float = 0.9
    /// Adam beta2 of the radius update.
    public var radiusBeta2: Float = 0.999
    /// Adam epsilon of the radius update.
    public var radiusEpsilon: Float = 1e-8
    /// The radius gamma of every constrained tensor at its first step (constrained tensors stay at W0).
    public var initialRadius: Float = 1e-8
    /// Lower clamp of the radius after each update (the upper clamp is the largest current row norm).
    public var minimumRadius: Float = 1e-8
    /// Dotted names of parameters left unconstrained (plain base update), e.g. a new head
    /// `["_fc.weight", "_fc.bias"]`. Every name must exist, or construction throws.
    public var excludedNames: Set<String> = []

    public init(k: Float = 1, radiusLearningRate: Float = 1e-2, radiusBeta1: Float = 0.9, radiusBeta2: Float = 0.999,
                radiusEpsilon: Float = 1e-8, initialRadius: Float = 1e-8, minimumRadius: Float = 1e-8,
                excludedNames: Set<String> = []) {
        self.k = k
        self.radiusLearningRate = radiusLearningRate
        self.radiusBeta1 = radiusBeta1
        self.radiusBeta2 = radiusBeta2
        self.radiusEpsilon = radiusEpsilon
        self.initialRadius = initialRadius
        self.minimumRadius = minimumRadius
        self.excludedNames = excludedNames
    }

    /// Throws `invalidArgument` naming the first field outside its range.
    public func validate() throws {
        func check(_ value: Float, _ name: String, _ range: ClosedRange<Float>) throws {
            guard value.isFinite, range.contains(value) else {
                throw KaizenError.invalidArgument(name: name, detail: "FTP: \(name) must be in \(range.lowerBound)...\(range.upperBound), got \(value)")
            }
        }
        try check(k, "k", 0...1)
        try check(radiusLearningRate, "radiusLearningRate", 0...Float.greatestFiniteMagnitude)
        try check(radiusBeta1, "radiusBeta1", 0...0.9999999)
        try check(radiusBeta2, "radiusBeta2", 0...0.9999999)
        try check(radiusEpsilon, "radiusEpsilon", 0...Float.greatestFiniteMagnitude)
        try check(minimumRadius, "minimumRadius", 0...Float.greatestFiniteMagnitude)
        try check(initialRadius, "initialRadius", minimumRadius...Float.greatestFiniteMagnitude)
    }
}

/// Resolves excluded parameter names against a name -> parameter listing.
enum ParameterNames {
    /// The identities of the parameters named in `excluded`; an unknown name throws `tensorName`.
    static func resolve(_ excluded: Set<String>, in named: [(String, Parameter)], method: String) throws -> Set<ObjectIdentifier> {
        var byName: [String: Parameter] = [:]
        for (name, p) in named where byName[name] == nil { byName[name] = p }
        var ids = Set<ObjectIdentifier>()
        for name in excluded.sorted() {
            guard let p = byName[name] else {
                let known = named.prefix(6).map(\.0).joined(separator: ", ")
                throw KaizenError.tensorName(name: name, reason: "\(method): excluded name is not a parameter of the model (\(named.count) parameters, e.g. \(known)); pass names exactly as module.namedParameters() lists them")
            }
            ids.insert(ObjectIdentifier(p))
        }
        return ids
    }
}
