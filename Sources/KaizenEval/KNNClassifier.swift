/// k-nearest-neighbour classifier as in FUNGI's evaluation (sklearn KNeighborsClassifier):
/// k = 20, Euclidean distance, uniform majority vote, vote ties to the lowest label. Cosine
/// distance and distance-weighted voting are options. Distances are computed block by block
/// through BLAS, so memory stays O(block x N_train).
public struct KNNClassifier: Sendable {
    public enum Metric: String, Sendable, CaseIterable, Codable { case euclidean, cosine }
    public enum Voting: String, Sendable, CaseIterable, Codable { case uniform, distance }

    /// Number of neighbours (paper default 20).
    public var k: Int = 20
    public var metric: Metric = .euclidean
    public var voting: Voting = .uniform
    /// Test rows per distance block.
    public var blockSize: Int = 1024

    public init(k: Int = 20, metric: Metric = .euclidean, voting: Voting = .uniform) {
        self.k = k
        self.metric = metric
        self.voting = voting
    }

    /// Predicted class for every test row.
    public func predict(train: Tensor, trainLabels: [Int], test: Tensor, classCount: Int) throws -> [Int] {
        guard train.rank == 2, test.rank == 2, train.shape[1] == test.shape[1] else {
            throw KaizenError.shapeMismatch(op: "kNN", detail: "train \(Shape.describe(train.shape)) and test \(Shape.describe(test.shape)) must be [N, d] with the same d")
        }
        guard trainLabels.count == train.shape[0] else {
            throw KaizenError.shapeMismatch(op: "kNN", detail: "\(trainLabels.count) train labels for \(train.shape[0]) train rows")
        }
        guard k >= 1 else { throw KaizenError.invalidArgument(name: "--k", detail: "k must be at least 1, got \(k)") }
        let kk = min(k, train.shape[0])
        var tr = train.contiguousValues(), te = test.contiguousValues()
        if metric == .cosine { tr = try KNNClassifier.rowNormalised(tr); te = try KNNClassifier.rowNormalised(te) }
        let n = tr.shape[0], d = tr.shape[1], m = te.shape[0]
        let trainSq = KNNClassifier.rowSquaredNorms(tr)
        var predictions = [Int](repeating: 0, count: m)
        var start = 0
        while start < m {
            let rows = min(blockSize, m - start)
            // dist^2 = |x|^2 - 2 x.y + |y|^2; |x|^2 is constant per test row and irrelevant to ranking,
            // but kept so distance voting sees true distances.
            let block = Tensor(uninitializedShape: [rows, n])
            BLAS.sgemm(transA: false, transB: true, m: rows, n: n, k: d, alpha: -2,
                       a: te.basePointer + start * d, lda: d, b: tr.basePointer, ldb: d, c: block.basePointer, ldc: n)
            let pb = block.basePointer, pte = te.basePointer
            var blockPredictions = [Int](repeating: 0, count: rows)
            blockPredictions.withUnsafeMutableBufferPointer { out in
                let outBox = UncheckedSendable(out)
                Parallel.forRanges(rows, costPerItem: n) { range in
                    var heap = NeighbourHeap(capacity: kk)
                    var votes = [Double](repeating: 0, count: classCount)
                    for r in range {
                        let row = pb + r * n
                        let xsq = Kernels.dot(pte + (start + r) * d, pte + (start + r) * d, d)
                        heap.reset()
                        for j in 0..<n { heap.offer(distance: row[j] + trainSq[j], index: j) }
                        for c in 0..<classCount { votes[c] = 0 }
                        for (dist, j) in heap.items {
                            let label = trainLabels[j]
                            guard label >= 0 && label < classCount else { continue }
                            let w = voting == .uniform ? 1.0 : 1.0 / max(Double(max(dist + xsq, 0)).squareRoot(), 1e-12)
                            votes[label] += w
                        }
                        var best = 0
                        for c in 1..<max(classCount, 1) where votes[c] > votes[best] { best = c }
                        outBox.value[r] = best
                    }
                }
            }
            for r in 0..<rows { predictions[start + r] = blockPredictions[r] }
            start += rows
        }
        return predictions
    }

    static func rowSquaredNorms(_ t: Tensor) -> [Float] {
        let n = t.shape[0], d = t.shape[1], p = t.basePointer
        return (0..<n).map { Kernels.dot(p + $0 * d, p + $0 * d, d) }
    }

    static func rowNormalised(_ t: Tensor) throws -> Tensor {
        let n = t.shape[0], d = t.shape[1]
        let out = Tensor(uninitializedShape: t.shape)
        let p = t.basePointer, o = out.basePointer
        for i in 0..<n {
            let norm = max(Kernels.dot(p + i * d, p + i * d, d).squareRoot(), 1e-12)
            for j in 0..<d { o[i * d + j] = p[i * d + j] / norm }
        }
        return out
    }
}

/// The k smallest (distance, index) pairs; ties keep the lower index (stable, like a sort by distance then position).
struct NeighbourHeap {
    let capacity: Int
    private(set) var items: [(Float, Int)] = []

    init(capacity: Int) {
        self.capacity = capacity
        items.reserveCapacity(capacity + 1)
    }

    mutating func reset() { items.removeAll(keepingCapacity: true) }

    /// Sorted insertion: k is small (20), so a linear insert beats a heap and keeps order exact.
    @inline(__always)
    mutating func offer(distance: Float, index: Int) {
        if items.count == capacity {
            guard let last = items.last, distance < last.0 else { return }
            items.removeLast()
        }
        var pos = items.count
        while pos > 0 && items[pos - 1].0 > distance { pos -= 1 }
        items.insert((distance, index), at: pos)
    }
}
