/// A batch of images [N, C, H, W] with one integer label per image and the class names.
public struct LabeledImages: Sendable {
    public let images: Tensor
    public let labels: [Int]
    public let classNames: [String]

    public init(images: Tensor, labels: [Int], classNames: [String]) throws {
        let s = try ImageBatchShape(of: images, op: "LabeledImages")
        guard labels.count == s.count else {
            throw KaizenError.shapeMismatch(op: "LabeledImages", detail: "\(s.count) images but \(labels.count) labels")
        }
        if let bad = labels.first(where: { $0 < 0 || $0 >= classNames.count }) {
            throw KaizenError.invalidArgument(name: "labels", detail: "label \(bad) outside 0..<\(classNames.count)")
        }
        self.images = images; self.labels = labels; self.classNames = classNames
    }

    public var count: Int { labels.count }

    /// The images at `indices`, in that order.
    public func subset(_ indices: [Int]) throws -> LabeledImages {
        try LabeledImages(images: images.indexSelect(axis: 0, indices: indices),
                          labels: indices.map { labels[$0] }, classNames: classNames)
    }

    /// How to take part of a dataset.
    public enum Subset: Sendable, Equatable {
        case all
        /// The first n images in file order.
        case first(Int)
        /// n images, split as evenly as possible over the classes (earlier classes get the
        /// remainder), each class's images drawn at random without replacement; kept in file order.
        case stratified(Int, seed: UInt64)
    }

    /// Indices of `subset` over `labels` (in increasing order).
    public static func indices(of subset: Subset, labels: [Int], classCount: Int) throws -> [Int] {
        switch subset {
        case .all: return Array(labels.indices)
        case let .first(n):
            guard n >= 0 else { throw KaizenError.invalidArgument(name: "limit", detail: "must be >= 0, got \(n)") }
            return Array(labels.indices.prefix(n))
        case let .stratified(n, seed):
            guard n >= 0, n <= labels.count else {
                throw KaizenError.invalidArgument(name: "limit", detail: "stratified subset of \(n) from \(labels.count) images")
            }
            var byClass = [[Int]](repeating: [], count: classCount)
            for (i, y) in labels.enumerated() { byClass[y].append(i) }
            let present = (0..<classCount).filter { !byClass[$0].isEmpty }
            guard !present.isEmpty else { return [] }
            // Even quotas, then hand what small classes cannot supply to the others in turn.
            var quota = [Int](repeating: 0, count: classCount), left = n
            while left > 0 {
                let open = present.filter { quota[$0] < byClass[$0].count }
                let share = max(1, left / open.count)
                for c in open where left > 0 {
                    let take = min(share, byClass[c].count - quota[c], left)
                    quota[c] += take; left -= take
                }
            }
            var rng = RandomGenerator(seed: seed)
            var chosen: [Int] = []
            for c in 0..<classCount where quota[c] > 0 {
                let order = rng.permutation(byClass[c].count)
                chosen += order.prefix(quota[c]).map { byClass[c][$0] }
            }
            return chosen.sorted()
        }
    }
}
