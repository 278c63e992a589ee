/// Moving reduced axes to the end so that last-axis kernels (softmax, max, norms) serve any axes.
extension Tensor {
    /// A permutation putting `axes` last (in order), and the shape of the remaining dimensions.
    func axesLast(_ axes: [Int], op: String) throws -> (permutation: [Int], kept: [Int], reduced: Int) {
        let resolved = try (axes.isEmpty ? Array(0..<rank) : axes).map { try Shape.axis($0, rank: rank, op: op) }
        let set = Set(resolved)
        guard set.count == resolved.count else {
            throw KaizenError.invalidArgument(name: "axes", detail: "\(op): repeated axis in \(axes)")
        }
        let keptAxes = (0..<rank).filter { !set.contains($0) }
        let reducedAxes = resolved.sorted()
        return (keptAxes + reducedAxes, keptAxes.map { shape[$0] }, reducedAxes.reduce(1) { $0 * shape[$1] })
    }

    /// This tensor as contiguous rows [outer, n] with `axes` flattened last (autograd-tracked).
    func rowsOver(_ axes: [Int], op: String) throws -> (rows: Tensor, kept: [Int], reducedAxes: Set<Int>) {
        let (perm, kept, n) = try axesLast(axes, op: op)
        let moved = perm == Array(0..<rank) ? self : try permuted(perm)
        let rows = try moved.reshaped([Shape.count(kept), n])
        let reducedAxes = Set(perm.suffix(perm.count - kept.count))
        return (rows, kept, reducedAxes)
    }

    /// The shape after reducing `reducedAxes`, keeping them as size 1 or dropping them.
    func reducedShape(_ reducedAxes: Set<Int>, keepDims: Bool) -> [Int] {
        keepDims ? shape.enumerated().map { reducedAxes.contains($0.offset) ? 1 : $0.element }
            : shape.enumerated().filter { !reducedAxes.contains($0.offset) }.map(\.element)
    }
}
