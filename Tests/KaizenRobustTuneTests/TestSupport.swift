import Foundation
import Testing
import KaizenIO
import KaizenNN
import KaizenTensor
@testable import KaizenRobustTune

struct FixtureMissing: Error, CustomStringConvertible {
    let name: String
    var description: String { "fixture \(name) is missing; run `bash scripts/fixtures.sh`" }
}

/// The golden FTP trajectory (official SGDP/AdamP on a tiny conv net; see Fixtures/README.md).
struct GoldenTrajectory {
    struct Run: Decodable {
        let loss: [Double]
        let gamma_per_step: [[Double]]
        let constrained_names_in_order: [String]
    }

    let file: SafeTensorsFile
    let runs: [String: Run]
    let x: Tensor
    let y: [Int]

    static func load() throws -> GoldenTrajectory {
        guard let st = Bundle.module.url(forResource: "trajectory", withExtension: "safetensors", subdirectory: "Fixtures"),
              let json = Bundle.module.url(forResource: "trajectory", withExtension: "json", subdirectory: "Fixtures") else {
            throw FixtureMissing(name: "trajectory.{safetensors,json}")
        }
        let file = try SafeTensors.read(st)
        let runs = try JSONDecoder().decode([String: Run].self, from: Data(contentsOf: json))
        return GoldenTrajectory(file: file, runs: runs, x: try file.tensor(named: "X"),
                                y: try file.array(named: "Y").int64Values().map { Int($0) })
    }

    /// Entries under `prefix` with the prefix removed (`init.` -> initial state dict).
    func stateDict(_ prefix: String) throws -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for name in file.names where name.hasPrefix(prefix) {
            out[String(name.dropFirst(prefix.count))] = try file.tensor(named: name)
        }
        return out
    }

    /// The README's model with the initial weights: 0 Conv2d(2->4, 3x3, pad 1), 1 BatchNorm2d(4),
    /// 2 ReLU, 3 Flatten, 4 Linear(100->8), 5 ReLU, 6 Linear(8->3).
    func makeModel() throws -> Sequential {
        var rng = RandomGenerator(seed: 1)
        let model = Sequential(
            try Conv2d(2, 4, kernel: (3, 3), padding: .symmetric(1), rng: &rng), BatchNorm2d(4, eps: 1e-5, momentum: 0.1),
            ReLU(), Flatten(), Linear(100, 8, rng: &rng), ReLU(), Linear(8, 3, rng: &rng))
        try model.loadStateDict(try stateDict("init."))
        model.train()
        return model
    }

    /// Batch `s`: images [16, 2, 5, 5] and targets.
    func batch(_ s: Int) throws -> (Tensor, [Int]) {
        let xs = try x.narrowed(axis: 0, start: s, length: 1).contiguousValues().reshaped([16, 2, 5, 5])
        return (xs, Array(y[(s * 16)..<((s + 1) * 16)]))
    }

    /// One training step on batch `s`; returns the loss.
    @discardableResult
    func step(_ model: Sequential, _ optimizer: any Optimizer, batch s: Int, beforeStep: () throws -> Void = {}) throws -> Float {
        let (xs, ys) = try batch(s)
        optimizer.zeroGrad()
        let loss = try Loss.crossEntropy(model(xs), targets: ys)
        try loss.backward()
        try beforeStep()
        try optimizer.step()
        return try loss.item()
    }

    static let headNames: Set<String> = ["6.weight", "6.bias"]

    static func sgdp(_ model: Sequential, k: Float = 1, excluded: Set<String> = headNames) throws -> TrainableProjection {
        try TrainableProjection(base: SGD(lr: 0.05, momentum: 0.9, nesterov: true), namedParameters: model.namedParameters(),
                                configuration: FTPConfiguration(k: k, excludedNames: excluded))
    }

    static func adamp(_ model: Sequential, excluded: Set<String> = headNames) throws -> TrainableProjection {
        try TrainableProjection(base: AdamW(lr: 0.01, weightDecay: 0), namedParameters: model.namedParameters(),
                                configuration: FTPConfiguration(excludedNames: excluded))
    }
}

/// |a - b| <= rel * |b| + abs.
func close(_ a: Double, _ b: Double, rel: Double, abs: Double) -> Bool { Swift.abs(a - b) <= rel * Swift.abs(b) + abs }

/// Largest |a_i - b_i|.
func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
    zip(a.scalars, b.scalars).reduce(0) { Swift.max($0, Swift.abs($1.0 - $1.1)) }
}

/// Row L1 norms of W - W0 with a bound on their float rounding (one ulp of each |W0| and |W| per element).
func deviationNormsWithRounding(_ w: Tensor, _ w0: Tensor) -> [(norm: Double, rounding: Double)] {
    let layout = RowLayout(shape: w.shape)
    let a = w.scalars, b = w0.scalars
    return (0..<layout.rows).map { i in
        var n = 0.0, r = 0.0
        for j in (i * layout.rowLength)..<((i + 1) * layout.rowLength) {
            n += Double(Swift.abs(a[j] - b[j]))
            r += Double(Swift.abs(a[j]) + Swift.abs(b[j])) * Double(Float.ulpOfOne)
        }
        return (n, r)
    }
}
