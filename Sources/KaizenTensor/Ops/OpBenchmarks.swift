import Dispatch

/// Throughput of elementwise and reduction ops on contiguous tensors (issue target: >= 10 GFLOP/s
/// on 1M elements). Convention: one flop per element for add, mul, relu and sum; exp, gelu and
/// softmax are also counted as one "op" per element, so their figure is elements per ns.
public enum OpBenchmarks {
    /// Best-of-`repeats` GFLOP/s per op name.
    public static func elementwise(size: Int = 1 << 20, repeats: Int = 20) throws -> [String: Double] {
        var rng = RandomGenerator(seed: 1)
        let a = rng.normal([size]), b = rng.normal([size])
        let rows = try a.reshaped(size % 1024 == 0 ? [size / 1024, 1024] : [1, size])  // softmax over rows of 1024
        let cases: [(String, () throws -> Tensor)] = [
            ("add", { try a + b }), ("mul", { try a * b }), ("relu", { a.relu() }), ("exp", { a.exp() }),
            ("gelu", { a.gelu() }), ("sum", { try a.sum() }), ("softmax", { try rows.softmax(axis: -1) }),
        ]
        var out: [String: Double] = [:]
        try noGrad {
            for (name, f) in cases {
                _ = try f()
                var best = Double.infinity
                for _ in 0..<repeats {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    _ = try f()
                    best = Swift.min(best, Double(DispatchTime.now().uptimeNanoseconds - t0))
                }
                out[name] = Double(size) / best
            }
        }
        return out
    }
}
