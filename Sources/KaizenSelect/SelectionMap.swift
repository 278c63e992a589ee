/// A 2-D picture of a selection: the pool projected by PCA (fitted on at most 5,000 pool points),
/// with cores, boundary (or baseline) picks and BiLAF's removed outliers marked. Self-contained SVG.
public enum SelectionMap {
    public static func svg(features x: Tensor, result: SelectionResult, title: String, maxPoints: Int = 5000) throws -> String {
        let n = x.shape[0]
        var rng = RandomGenerator(seed: 0)
        let shown = n > maxPoints ? Array(rng.permutation(n).prefix(maxPoints)).sorted() : Array(0..<n)
        let xy: Tensor
        if PCA.applies(dimensions: 2, samples: shown.count, features: x.shape[1]) {
            xy = try PCA(fit: x.indexSelect(axis: 0, indices: shown), dimensions: 2).transform(x)
        } else {
            xy = try x.narrowed(axis: 1, start: 0, length: Swift.min(2, x.shape[1])).contiguous()
        }
        let v = xy.scalars, w = xy.shape[1]
        func point(_ i: Int) -> (Double, Double) { (Double(v[i * w]), w > 1 ? Double(v[i * w + 1]) : 0) }
        let picks = zip(result.indices, result.stage).filter { $0.1 != .core }.map(\.0)
        return SVGScatter(title: title, series: [
            .init(label: "pool", points: shown.map(point), color: "#bbbbbb", radius: 1.5, opacity: 0.5),
            .init(label: "removed outliers", points: result.outliers.prefix(2000).map(point), color: "#999900", radius: 2),
            .init(label: result.cores.isEmpty ? "selected" : "boundary picks", points: picks.map(point), color: "#1f77b4", radius: 3),
            .init(label: "cores", points: result.cores.map(point), color: "#d62728", radius: 4),
        ]).render()
    }
}
