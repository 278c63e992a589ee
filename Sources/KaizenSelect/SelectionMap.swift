/// A 2-D picture of a selection: the pool projected by PCA (fitted on at most 5,000 pool points),
/// with cores, boundary (or baseline) picks and BiLAF's removed outliers marked. Self-contained SVG.
public enum SelectionMap {
    /// The map's points in the 2-D projection: a sample of the pool, removed outliers, the
    /// non-core picks and the cores. Plain numbers, so a report can store and redraw them.
    public struct Layout: Sendable, Equatable {
        public var pool: [(Double, Double)]
        public var outliers: [(Double, Double)]
        public var picks: [(Double, Double)]
        public var cores: [(Double, Double)]
        /// Whether the selection had cores (BiLAF/ActiveFT): names the picks "boundary picks".
        public var hasCores: Bool { !cores.isEmpty }

        public init(pool: [(Double, Double)], outliers: [(Double, Double)], picks: [(Double, Double)], cores: [(Double, Double)]) {
            self.pool = pool
            self.outliers = outliers
            self.picks = picks
            self.cores = cores
        }

        public static func == (a: Layout, b: Layout) -> Bool {
            func same(_ x: [(Double, Double)], _ y: [(Double, Double)]) -> Bool { x.count == y.count && zip(x, y).allSatisfy { $0 == $1 } }
            return same(a.pool, b.pool) && same(a.outliers, b.outliers) && same(a.picks, b.picks) && same(a.cores, b.cores)
        }
    }

    /// Projects the pool (a seeded sample of at most `maxPoints`) and the selection to 2-D.
    public static func layout(features x: Tensor, result: SelectionResult, maxPoints: Int = 5000) throws -> Layout {
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
        return Layout(pool: shown.map(point), outliers: result.outliers.prefix(2000).map(point),
                      picks: picks.map(point), cores: result.cores.map(point))
    }

    /// The map of a layout.
    public static func svg(_ layout: Layout, title: String) -> String {
        SVGScatter(title: title, series: [
            .init(label: "pool", points: layout.pool, color: "#bbbbbb", radius: 1.5, opacity: 0.5),
            .init(label: "removed outliers", points: layout.outliers, color: "#999900", radius: 2),
            .init(label: layout.hasCores ? "boundary picks" : "selected", points: layout.picks, color: "#1f77b4", radius: 3),
            .init(label: "cores", points: layout.cores, color: "#d62728", radius: 4),
        ]).render()
    }

    public static func svg(features x: Tensor, result: SelectionResult, title: String, maxPoints: Int = 5000) throws -> String {
        svg(try layout(features: x, result: result, maxPoints: maxPoints), title: title)
    }
}
