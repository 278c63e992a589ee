import Dispatch

/// Throughput of elementwise and reduction ops on contiguous data (forward only, no graph).
///
/// Rates are GFLOP/s under the fixed per-element weights in `flopsPerElement`: 1 for add, mul,
/// relu and sum; for the transcendental ops the count of basic float operations (add, mul, fma
/// as 2, compare/select) that their vectorised kernels execute. Divide by the weight to get
/// billions of elements per second.
public enum OpBenchmarks {
    /// Float operations counted per element for each benchmarked op.
    public static let flopsPerElement: [String: Double] = [
        "add": 1, "mul": 1, "relu": 1, "sum": 1,
        // exp: range reduction + degree-6 polynomial + scale. The kernel executes 23 float
        // adds/muls (no fma on the baseline target); counted conservatively as 18.
        "exp": 18,
        // gelu: exp(-z^2) plus the erfc rational (div, 4 mul+add) and x Phi(x): ~42 executed, counted 36.
        "gelu": 36,
        // softmax: max + subtract + exp + sum + scale.
        "softmax": 22,
    ]

    /// Best-of-`repeats` GFLOP/s of add, mul, relu, exp, gelu, sum and last-axis softmax on
    /// `size` elements (softmax on rows of 1024). Uses the current `Parallel.maxThreads`.
    public static func elementwise(size: Int, repeats: Int) -> [String: Double] {
        ThreadWarmUp.run()
        var rng = RandomGenerator(seed: 11)
        let a = rng.normal([size]), b = rng.normal([size])
        let row = size >= 1024 && size % 1024 == 0 ? 1024 : size
        let matrix = (try? a.reshaped([size / Swift.max(row, 1), row])) ?? a
        let cases: [(String, () throws -> Tensor)] = [
            ("add", { try a + b }),
            ("mul", { try a * b }),
            ("relu", { a.relu() }),
            ("exp", { a.exp() }),
            ("gelu", { a.gelu() }),
            ("sum", { try a.sum() }),
            ("softmax", { try matrix.softmax(axis: -1) }),
        ]
        var rates: [String: Double] = [:]
        noGrad {
            for (name, body) in cases {
                var best = Double.infinity
                for _ in 0...Swift.max(repeats, 1) {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    let out = try? body()
                    let t1 = DispatchTime.now().uptimeNanoseconds
                    if out == nil { break }
                    best = Swift.min(best, Double(t1 - t0))
                }
                rates[name] = (flopsPerElement[name] ?? 1) * Double(size) / best
            }
        }
        return rates
    }
}
