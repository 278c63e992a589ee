/// A lookup table of `count` vectors of size `dimension` (PyTorch's `nn.Embedding`; weight [V, D],
/// initialised N(0, 1)). Takes integer ids, so it is a `Module` but not a tensor-to-tensor `Layer`.
public final class Embedding: Module {
    public let weight: Parameter
    public var trainingMode = true

    public init(_ count: Int, _ dimension: Int, rng: inout RandomGenerator) {
        weight = Parameter(rng.normal([count, dimension]))
    }

    /// From a given table [V, D].
    public init(weight: Tensor) throws {
        guard weight.rank == 2 else {
            throw KaizenError.shapeMismatch(op: "Embedding", detail: "weight must be [count, dimension], got \(Shape.describe(weight.shape))")
        }
        self.weight = Parameter(weight)
    }

    public var count: Int { weight.shape[0] }
    public var dimension: Int { weight.shape[1] }

    public func localParameters() -> [(String, Parameter)] { [("weight", weight)] }

    /// Vectors for `ids` (row-major over `shape`), shaped `shape + [dimension]`. Out-of-range ids throw.
    public func callAsFunction(_ ids: [Int], shape: [Int]) throws -> Tensor {
        if let bad = ids.firstIndex(where: { $0 < 0 || $0 >= count }) {
            throw KaizenError.invalidArgument(name: "ids", detail: "Embedding: id \(ids[bad]) at position \(bad) is outside 0..<\(count)")
        }
        return try Functional.embedding(weight.value, ids: ids, shape: shape)
    }

    /// Vectors for a flat list of ids: [ids.count, dimension].
    public func callAsFunction(_ ids: [Int]) throws -> Tensor { try callAsFunction(ids, shape: [ids.count]) }
}
