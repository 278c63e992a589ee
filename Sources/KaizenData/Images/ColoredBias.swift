import Foundation

/// Colored (Fashion-)MNIST, the spurious-correlation benchmark of LfF (Nam et al. 2020) as set out in
/// spec/debias.md section 6. Each class y has an "own" colour y; the foreground (grey) pixels of an
/// image are multiplied by a slightly jittered colour, the background stays black.
///
/// - Train split: per class, a fraction `alignedRatio` (0.95, 0.98, 0.99 or 0.995 in the protocol)
///   gets the own colour, the rest is spread evenly over the other colours by cumulative milestones:
///   colours are taken in the order y, y+1, ..., y+K-1 (mod K) and colour j covers positions
///   round(n·F(j−1)) ..< round(n·F(j)) of the class, F being the cumulative ratios. Positions follow
///   a seeded permutation of the class's images, so colour does not follow file order.
/// - Conflicting pool: `poolPerClass` training images per class, held out before the train split is
///   built (never seen by a base model), all coloured with colours other than their own, spread evenly.
/// - Test split: aligned ratio 1/K, so every colour occurs equally often within each class
///   (counts differ by at most one) and the split is unbiased.
/// - Colour jitter: rgb = clamp(palette[c] + N(0, σ²·I₃), 0, 1) per image, σ by LfF severity 1...5 =
///   0.05, 0.02, 0.01, 0.005, 0.002.
public enum ColoredBias {
    /// Ten well-separated colours: red, green, blue, yellow, magenta, cyan, orange, purple, teal, light grey.
    public static let palette: [[Float]] = [
        [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1],
        [0, 1, 1], [1, 0.5, 0], [0.5, 0, 1], [0, 0.5, 0.5], [0.75, 0.75, 0.75],
    ]

    /// LfF's colour-noise standard deviation for severity 1...5.
    public static func noiseStd(severity: Int) throws -> Double {
        let table = [0.05, 0.02, 0.01, 0.005, 0.002]
        guard (1...5).contains(severity) else {
            throw KaizenError.invalidArgument(name: "severity", detail: "colour severity must be in 1...5, got \(severity)")
        }
        return table[severity - 1]
    }

    /// Colour id per sample for the given aligned ratio (see the type's documentation).
    public static func assignColours(labels: [Int], classCount: Int, alignedRatio: Double, seed: UInt64) throws -> [Int] {
        guard classCount >= 2, classCount <= palette.count else {
            throw KaizenError.invalidArgument(name: "classCount", detail: "need 2...\(palette.count) classes, got \(classCount)")
        }
        guard alignedRatio >= 0, alignedRatio <= 1 else {
            throw KaizenError.invalidArgument(name: "alignedRatio", detail: "must be in [0, 1], got \(alignedRatio)")
        }
        if let bad = labels.first(where: { $0 < 0 || $0 >= classCount }) {
            throw KaizenError.invalidArgument(name: "labels", detail: "label \(bad) outside 0..<\(classCount)")
        }
        var colours = [Int](repeating: 0, count: labels.count)
        var rng = RandomGenerator(seed: seed)
        let other = (1 - alignedRatio) / Double(classCount - 1)
        for y in 0..<classCount {
            let members = labels.indices.filter { labels[$0] == y }
            let order = rng.permutation(members.count).map { members[$0] }
            let n = Double(order.count)
            var cumulative = 0.0, start = 0
            for j in 0..<classCount {
                cumulative += j == 0 ? alignedRatio : other
                let end = j == classCount - 1 ? order.count : min(order.count, Int((n * cumulative).rounded()))
                for position in start..<max(start, end) { colours[order[position]] = (y + j) % classCount }
                start = max(start, end)
            }
        }
        return colours
    }

    /// Multiplies each grey image [N, 1, H, W] (values in [0, 1]) by its jittered colour -> [N, 3, H, W].
    /// Image k's jitter is drawn from (seed, keys[k]), so it does not depend on the split it lands in.
    public static func colourise(grey: Tensor, colours: [Int], noiseStd: Double, seed: UInt64, keys: [Int]) throws -> Tensor {
        let s = try ImageBatchShape(of: grey, op: "ColoredBias.colourise")
        guard s.channels == 1 else {
            throw KaizenError.shapeMismatch(op: "ColoredBias.colourise", detail: "expected grey [N, 1, H, W], got \(Shape.describe(s.dims))")
        }
        guard colours.count == s.count, keys.count == s.count else {
            throw KaizenError.shapeMismatch(op: "ColoredBias.colourise", detail: "\(s.count) images, \(colours.count) colours, \(keys.count) keys")
        }
        if let bad = colours.first(where: { $0 < 0 || $0 >= palette.count }) {
            throw KaizenError.invalidArgument(name: "colours", detail: "colour id \(bad) outside 0..<\(palette.count)")
        }
        let rgb: [Float] = (0..<s.count).flatMap { k -> [Float] in
            var rng = RandomGenerator(seed: CounterHash.mix(seed, UInt64(keys[k])))
            return palette[colours[k]].map { min(max($0 + Float(noiseStd * rng.nextNormal()), 0), 1) }
        }
        let src = ImageKernels.source(grey)
        let out = Tensor(uninitializedShape: [s.count, 3, s.height, s.width])
        let i = UncheckedSendable(src.basePointer), o = UncheckedSendable(out.basePointer)
        ImageKernels.forEachPlane(s.count * 3, costPerPlane: s.planeSize) { p in
            let n = p / 3, factor = rgb[p]
            let from = i.value + n * s.planeSize, to = o.value + p * s.planeSize
            for k in 0..<s.planeSize { to[k] = factor * from[k] }
        }
        return out
    }

    /// Builds train / conflicting pool / unbiased test from grey images with labels 0..<K.
    public static func build(train: LabeledImages, test: LabeledImages, alignedRatio: Double,
                             poolPerClass: Int, severity: Int = 4, seed: UInt64) throws -> ColoredBenchmark {
        let classCount = train.classNames.count
        guard test.classNames.count == classCount else {
            throw KaizenError.invalidArgument(name: "test", detail: "train has \(classCount) classes, test \(test.classNames.count)")
        }
        guard poolPerClass >= 0 else { throw KaizenError.invalidArgument(name: "poolPerClass", detail: "must be >= 0, got \(poolPerClass)") }
        let std = try noiseStd(severity: severity)
        // Hold the pool out first, per class at random.
        var rng = RandomGenerator(seed: CounterHash.mix(seed, 1))
        var poolIndices: [Int] = []
        for y in 0..<classCount {
            let members = train.labels.indices.filter { train.labels[$0] == y }
            guard members.count > poolPerClass else {
                throw KaizenError.invalidArgument(name: "poolPerClass", detail: "class \(y) has \(members.count) training images; cannot hold out \(poolPerClass) and keep some for training")
            }
            poolIndices += rng.permutation(members.count).prefix(poolPerClass).map { members[$0] }
        }
        poolIndices.sort()
        let held = Set(poolIndices)
        let trainIndices = train.labels.indices.filter { !held.contains($0) }

        func split(_ source: LabeledImages, _ indices: [Int], ratio: Double, salt: UInt64) throws -> ColoredSplit {
            let labels = indices.map { source.labels[$0] }
            let colours = try assignColours(labels: labels, classCount: classCount, alignedRatio: ratio, seed: CounterHash.mix(seed, salt))
            let grey = try source.images.indexSelect(axis: 0, indices: indices)
            let images = try colourise(grey: grey, colours: colours, noiseStd: std, seed: CounterHash.mix(seed, salt + 100), keys: indices)
            return try ColoredSplit(images: images, labels: labels, colours: colours, sourceIndices: indices, classNames: source.classNames)
        }
        return ColoredBenchmark(
            train: try split(train, trainIndices, ratio: alignedRatio, salt: 2),
            conflictingPool: try split(train, poolIndices, ratio: 0, salt: 3),
            test: try split(test, Array(test.labels.indices), ratio: 1 / Double(classCount), salt: 4),
            alignedRatio: alignedRatio)
    }
}

/// One coloured split: images [N, 3, H, W] in [0, 1], labels, colour ids and bias alignment.
public struct ColoredSplit: Sendable {
    public let images: Tensor
    public let labels: [Int]
    public let colours: [Int]
    /// colour == label.
    public let biasAligned: [Bool]
    /// Index of each sample in the grey dataset it came from.
    public let sourceIndices: [Int]
    public let classNames: [String]

    init(images: Tensor, labels: [Int], colours: [Int], sourceIndices: [Int], classNames: [String]) throws {
        self.images = images; self.labels = labels; self.colours = colours; self.sourceIndices = sourceIndices
        self.classNames = classNames
        biasAligned = zip(labels, colours).map { $0 == $1 }
    }

    public var count: Int { labels.count }
    public var alignedFraction: Double { Double(biasAligned.filter { $0 }.count) / Double(max(count, 1)) }
}

/// The three splits of the benchmark.
public struct ColoredBenchmark: Sendable {
    public let train: ColoredSplit
    /// Bias-conflicting training images held out from `train` (the few-shot tuning pool).
    public let conflictingPool: ColoredSplit
    /// Unbiased: every colour equally often within each class.
    public let test: ColoredSplit
    public let alignedRatio: Double
}
