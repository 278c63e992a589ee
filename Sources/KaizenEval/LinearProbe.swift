import Foundation

/// Linear probe: multinomial logistic regression with an L2 penalty, fitted by L-BFGS. An intercept
/// is fitted by default (as scikit-learn does): FUNGI's cyanure setting has none, which fails on
/// features that are not centred (e.g. post-ReLU embeddings); set `fitIntercept = false` for it. The penalty is chosen on a stratified 80/20 split of the
/// training rows (seeded), then the model is refitted on all of them.
public struct LinearProbe: Sendable {
    /// Candidate L2 strengths (FUNGI: linspace(5e-6, 5e-4, 5)).
    public var lambdas: [Double] = [5e-6, 1.2875e-4, 2.525e-4, 3.7625e-4, 5e-4]
    /// Fraction of training rows held out to choose lambda.
    public var validationFraction = 0.2
    public var seed: UInt64 = 42
    public var maxIterations = 300
    /// Adds a constant feature (a bias per class).
    public var fitIntercept = true

    /// The fitted weights [C, d] and the chosen lambda.
    public private(set) var weights: Tensor?
    public private(set) var chosenLambda: Double?

    public init(seed: UInt64 = 42) { self.seed = seed }

    /// Fits on `features` [N, d] with labels in 0..<classCount.
    public mutating func fit(features: Tensor, labels: [Int], classCount: Int) throws {
        guard features.rank == 2, features.shape[0] == labels.count else {
            throw KaizenError.shapeMismatch(op: "LinearProbe.fit", detail: "\(labels.count) labels for features \(Shape.describe(features.shape))")
        }
        guard !labels.isEmpty else { throw KaizenError.invalidArgument(name: "labels", detail: "no training rows") }
        guard labels.allSatisfy({ $0 >= 0 && $0 < classCount }) else {
            throw KaizenError.invalidArgument(name: "labels", detail: "labels must lie in 0..<\(classCount)")
        }
        let x = fitIntercept ? LinearProbe.withBiasColumn(features) : features.contiguousValues()
        var best = lambdas[0]
        if lambdas.count > 1 {
            let (trainRows, valRows) = LinearProbe.stratifiedSplit(labels: labels, fraction: validationFraction, seed: seed)
            if !trainRows.isEmpty && !valRows.isEmpty {
                let xt = LinearProbe.rows(x, trainRows), xv = LinearProbe.rows(x, valRows)
                let yt = trainRows.map { labels[$0] }, yv = valRows.map { labels[$0] }
                var bestAccuracy = -1.0
                for lambda in lambdas {
                    let w = try LinearProbe.train(xt, yt, classCount: classCount, lambda: lambda, iterations: maxIterations)
                    let predictions = try argmaxRows(try xv.matmul(w.transposed()))
                    let accuracy = Double(zip(predictions, yv).filter { $0 == $1 }.count) / Double(yv.count)
                    if accuracy > bestAccuracy { bestAccuracy = accuracy; best = lambda }
                }
            }
        }
        chosenLambda = best
        weights = try LinearProbe.train(x, labels, classCount: classCount, lambda: best, iterations: maxIterations)
    }

    /// Predicted classes for [M, d] features.
    public func predict(_ features: Tensor) throws -> [Int] {
        guard let weights else { throw KaizenError.invalidArgument(name: "probe", detail: "predict() before fit()") }
        let x = fitIntercept ? LinearProbe.withBiasColumn(features) : features.contiguousValues()
        guard x.rank == 2, x.shape[1] == weights.shape[1] else {
            throw KaizenError.shapeMismatch(op: "LinearProbe.predict", detail: "features \(Shape.describe(features.shape)) for weights \(Shape.describe(weights.shape))")
        }
        return try argmaxRows(try x.matmul(weights.transposed()))
    }

    /// Class scores [M, C] (logits) for [M, d] features.
    public func logits(_ features: Tensor) throws -> Tensor {
        guard let weights else { throw KaizenError.invalidArgument(name: "probe", detail: "logits() before fit()") }
        let x = fitIntercept ? LinearProbe.withBiasColumn(features) : features.contiguousValues()
        guard x.rank == 2, x.shape[1] == weights.shape[1] else {
            throw KaizenError.shapeMismatch(op: "LinearProbe.logits", detail: "features \(Shape.describe(features.shape)) for weights \(Shape.describe(weights.shape))")
        }
        return try x.matmul(weights.transposed())
    }

    /// [N, d] -> [N, d + 1] with a last column of ones.
    static func withBiasColumn(_ x: Tensor) -> Tensor {
        let c = x.contiguousValues()
        guard c.rank == 2 else { return c }
        let n = c.shape[0], d = c.shape[1]
        let out = Tensor(uninitializedShape: [n, d + 1])
        for i in 0..<n {
            (out.basePointer + i * (d + 1)).update(from: c.basePointer + i * d, count: d)
            out.basePointer[i * (d + 1) + d] = 1
        }
        return out
    }

    /// Mean cross-entropy + lambda/2 |W|^2, minimised by L-BFGS from zero.
    static func train(_ x: Tensor, _ y: [Int], classCount c: Int, lambda: Double, iterations: Int) throws -> Tensor {
        let n = x.shape[0], d = x.shape[1]
        let w = Tensor(uninitializedShape: [c, d]), logits = Tensor(uninitializedShape: [n, c]), gw = Tensor(uninitializedShape: [c, d])
        let px = x.basePointer, pw = w.basePointer, pl = logits.basePointer, pg = gw.basePointer
        var solver = LBFGS()
        solver.maxIterations = iterations
        let solution = try solver.minimize([Double](repeating: 0, count: c * d)) { params in
            for i in 0..<(c * d) { pw[i] = Float(params[i]) }
            BLAS.sgemm(transA: false, transB: true, m: n, n: c, k: d, a: px, lda: d, b: pw, ldb: d, c: pl, ldc: c)
            var loss = 0.0
            for i in 0..<n {
                let row = pl + i * c
                var m = row[0]
                for j in 1..<c { m = max(m, row[j]) }
                var z: Float = 0
                for j in 0..<c { row[j] = Foundation.expf(row[j] - m); z += row[j] }
                loss -= Double(Foundation.logf(row[y[i]] / z))
                // Row becomes dLoss/dlogits / n = (softmax - onehot) / n.
                for j in 0..<c { row[j] = row[j] / z / Float(n) }
                row[y[i]] -= 1 / Float(n)
            }
            BLAS.sgemm(transA: true, transB: false, m: c, n: d, k: n, a: pl, lda: c, b: px, ldb: d, c: pg, ldc: d)
            var reg = 0.0
            var grad = [Double](repeating: 0, count: c * d)
            for i in 0..<(c * d) {
                reg += params[i] * params[i]
                grad[i] = Double(pg[i]) + lambda * params[i]
            }
            return (loss / Double(n) + 0.5 * lambda * reg, grad)
        }
        for i in 0..<(c * d) { pw[i] = Float(solution[i]) }
        return w
    }

    static func rows(_ x: Tensor, _ idx: [Int]) -> Tensor {
        let d = x.shape[1]
        let out = Tensor(uninitializedShape: [idx.count, d])
        for (r, i) in idx.enumerated() { (out.basePointer + r * d).update(from: x.basePointer + i * d, count: d) }
        return out
    }

    /// Per class, a seeded shuffle; the first `fraction` of each class goes to validation.
    static func stratifiedSplit(labels: [Int], fraction: Double, seed: UInt64) -> ([Int], [Int]) {
        var rng = RandomGenerator(seed: seed)
        var byClass: [Int: [Int]] = [:]
        for (i, l) in labels.enumerated() { byClass[l, default: []].append(i) }
        var train: [Int] = [], val: [Int] = []
        for key in byClass.keys.sorted() {
            guard let members = byClass[key] else { continue }
            let perm = rng.permutation(members.count).map { members[$0] }
            let nv = members.count >= 2 ? max(1, Int((Double(members.count) * fraction).rounded(.down))) : 0
            val += perm.prefix(nv)
            train += perm.dropFirst(nv)
        }
        return (train.sorted(), val.sorted())
    }
}
