import Foundation
import Testing
import KaizenNN

/// A small conv net (PyTorch's `Sequential(Conv2d(2,4,3,p=1,bias=False), BatchNorm2d(4), ReLU, Flatten,
/// Linear(100,8), ReLU, Linear(8,3))`) with deterministic weights and data, trained four steps;
/// losses and per-tensor sums match PyTorch 1.13 (values from /tmp/kaizen-ref/bin/python running the
/// same construction: weights 0.3 sin(0.7 i + 1.3 k) for the k-th parameter, inputs sin(0.37 j + 0.11 s),
/// targets (7n + s) mod 3). Checks layers, autograd, loss, optimiser and BatchNorm buffers together.
/// No conv bias before BatchNorm: its true gradient is 0, and Adam would turn rounding noise into
/// full-size steps of either sign (the same happens in PyTorch, with different noise).
@Suite struct PyTorchParityTests {
    typealias Reference = (losses: [Double], sums: KeyValuePairs<String, [Double]>)
    static let reference: [String: Reference] = [
        "sgd": (losses: [1.1082287, 1.1051272, 1.1016269, 1.1111076],
        sums: ["0.weight": [-0.021651781, 3.2357662], "1.weight": [0.5901223, 0.16803397], "1.bias": [-0.41965944, 0.16799315], "1.running_mean": [-0.00298823, 2.2474452e-06], "1.running_var": [2.6510321, 1.7569928], "1.num_batches_tracked": [4, 16], "4.weight": [-0.35583106, 35.99017], "4.bias": [0.2737761, 0.32059138], "6.weight": [0.68487073, 1.0269702], "6.bias": [0.6059761, 0.14639598]]),
        "adam": (losses: [1.1082287, 1.1008296, 1.1091402, 1.0938218],
        sums: ["0.weight": [-0.051104163, 3.2739785], "1.weight": [0.53697948, 0.14780756], "1.bias": [-0.49057858, 0.18183554], "1.running_mean": [-0.0036512244, 3.6536066e-06], "1.running_var": [2.6525999, 1.7590936], "1.num_batches_tracked": [4, 16], "4.weight": [-3.3984265, 36.036908], "4.bias": [0.15999127, 0.31672005], "6.weight": [0.64130961, 0.99648883], "6.bias": [0.62111206, 0.14906652]]),
        "adamW": (losses: [1.1082287, 1.100814, 1.1091158, 1.0936286],
        sums: ["0.weight": [-0.047407881, 3.2467562], "1.weight": [0.53621207, 0.14741749], "1.bias": [-0.48894241, 0.18068896], "1.running_mean": [-0.0036418456, 3.6392546e-06], "1.running_var": [2.6524961, 1.758956], "1.num_batches_tracked": [4, 16], "4.weight": [-3.5318775, 35.742511], "4.bias": [0.15577247, 0.31139685], "6.weight": [0.63735782, 0.9886597], "6.bias": [0.61867255, 0.14790862]])
    ]

    static func deterministic(_ n: Int, _ a: Double, _ b: Double) -> [Float] {
        (0..<n).map { Float(0.3 * Foundation.sin(a * Double($0) + b)) }
    }

    static func makeModel() throws -> Sequential {
        var rng = RandomGenerator(seed: 0)
        let model = Sequential(
            try Conv2d(2, 4, kernel: (3, 3), padding: .symmetric(1), bias: false, rng: &rng), BatchNorm2d(4), ReLU(), Flatten(),
            Linear(100, 8, rng: &rng), ReLU(), Linear(8, 3, rng: &rng))
        for (k, (name, p)) in model.namedParameters().enumerated() {
            try p.copyValues(from: try Tensor(shape: p.shape, values: deterministic(p.count, 0.7, 1.3 * Double(k))), name: name)
        }
        return model
    }

    static func batch(_ s: Int) throws -> (Tensor, [Int]) {
        let x = (0..<(16 * 50)).map { Float(Foundation.sin(0.37 * Double($0) + 0.11 * Double(s))) }
        return (try Tensor(shape: [16, 2, 5, 5], values: x), (0..<16).map { ($0 * 7 + s) % 3 })
    }

    static func check(_ name: String, _ make: ([Parameter]) throws -> any Optimizer) throws {
        let ref = try #require(reference[name])
        let model = try makeModel()
        let opt = try make(model.parameters())
        for s in 0..<4 {
            let (x, y) = try batch(s)
            opt.zeroGrad()
            let loss = try Loss.crossEntropy(model(x), targets: y)
            try loss.backward()
            try opt.step()
            let got = Double(try loss.item())
            #expect(Swift.abs(got - ref.losses[s]) < 1e-5 * Swift.max(1, Swift.abs(ref.losses[s])), "\(name) loss at step \(s): \(got) vs \(ref.losses[s])")
        }
        let state = Dictionary(uniqueKeysWithValues: model.stateDict())
        #expect(state.count == ref.sums.count)
        for (key, want) in ref.sums {
            let values = try #require(state[key], "missing \(key)").scalars.map(Double.init)
            let sum = values.reduce(0, +), squares = values.reduce(0) { $0 + $1 * $1 }
            #expect(Swift.abs(sum - want[0]) < 2e-4, "\(name) \(key) sum \(sum) vs \(want[0])")
            #expect(Swift.abs(squares - want[1]) < 1e-4 * Swift.max(1, want[1]), "\(name) \(key) sum of squares \(squares) vs \(want[1])")
        }
    }

    @Test func sgdNesterovTrajectory() throws { try Self.check("sgd") { try SGD(parameters: $0, lr: 0.05, momentum: 0.9, nesterov: true) } }
    @Test func adamTrajectory() throws { try Self.check("adam") { try Adam(parameters: $0, lr: 0.01) } }
    @Test func adamWTrajectory() throws { try Self.check("adamW") { try AdamW(parameters: $0, lr: 0.01, weightDecay: 0.1) } }
}
