/// The random projection FUNGI applies to every objective's flattened gradient: the paper's dense
/// i.i.d. +-1 matrix (the default) or a sparse sign matrix (same accuracy in the paper's ablation,
/// a fraction of the cost).
public enum GradientProjection: Sendable {
    case dense(RandomSignProjection)
    case sparse(SparseSignProjection)

    /// Which projection to draw, with the sparse one's nonzeros per input coordinate.
    public enum Kind: Sendable, Equatable {
        case dense
        case sparse(nonzerosPerColumn: Int)

        /// Sparse projections put this many nonzeros in each input column unless told otherwise.
        public static let defaultNonzeros = 8

        /// Parses `dense`, `sparse` or `sparse:S` (S nonzeros per input coordinate).
        public static func parse(_ text: String) throws -> Kind {
            let parts = text.lowercased().split(separator: ":", maxSplits: 1).map(String.init)
            switch (parts.first, parts.count) {
            case ("dense", 1): return .dense
            case ("sparse", 1): return .sparse(nonzerosPerColumn: defaultNonzeros)
            case ("sparse", 2):
                if let s = Int(parts[1]), s >= 1 { return .sparse(nonzerosPerColumn: s) }
            default: break
            }
            throw KaizenError.invalidArgument(name: "--projection", detail: "expected dense, sparse or sparse:S (S >= 1 nonzeros per gradient entry), got '\(text)'")
        }
    }

    public init(kind: Kind, seed: UInt64, inputDimension: Int, outputDimension: Int) throws {
        switch kind {
        case .dense: self = .dense(RandomSignProjection(seed: seed, inputDimension: inputDimension, outputDimension: outputDimension))
        case .sparse(let s):
            self = .sparse(try SparseSignProjection(seed: seed, inputDimension: inputDimension, outputDimension: outputDimension, nonzerosPerColumn: s))
        }
    }

    /// Whether projecting many rows at once is much cheaper per row (the dense projection expands
    /// its signs once per call), so callers should collect gradients before projecting.
    public var prefersLargeGroups: Bool {
        if case .dense = self { return true }
        return false
    }

    public var outputDimension: Int {
        switch self {
        case .dense(let p): p.outputDimension
        case .sparse(let p): p.outputDimension
        }
    }

    public func project(_ x: Tensor) throws -> Tensor {
        switch self {
        case .dense(let p): try p.project(x)
        case .sparse(let p): try p.project(x)
        }
    }
}
