import Dispatch
import Foundation

/// Timings of the selection algorithms on random clustered features (the brief's scale target:
/// N = 60,000, d = 1280, K = 300). Run in release through the test `SelectBenchmarkRunner`.
public enum SelectBenchmarks {
    public struct Timing: Sendable, CustomStringConvertible {
        public let name: String
        public let seconds: Double
        public let detail: String
        public var description: String { String(format: "%@: %.2f s (%@)", name, seconds, detail) }
    }

    /// `n` samples around `clusters` Gaussian centres (centres ~ N(0, 1), spread `noise`); sample i
    /// belongs to cluster i % clusters. Generated from counter hashes, so it is the same on any
    /// thread count.
    public static func clusteredFeatures(n: Int, d: Int, clusters: Int, noise: Float = 1, seed: UInt64 = 1) -> Tensor {
        let out = Tensor(uninitializedShape: [n, d])
        let box = UncheckedSendable(out.basePointer)
        @inline(__always) func normal(_ stream: UInt64, _ index: UInt64) -> Float {
            let h1 = CounterHash.mix(stream, 2 * index), h2 = CounterHash.mix(stream, 2 * index + 1)
            let u1 = max(Double(h1 >> 11) * 0x1p-53, 1e-300), u2 = Double(h2 >> 11) * 0x1p-53
            return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
        }
        Parallel.forRanges(n, costPerItem: d * 8) { range in
            let p = box.value
            for i in range {
                let c = i % clusters
                for t in 0..<d {
                    let centre = normal(seed, UInt64(c * d + t))
                    p[i * d + t] = centre + noise * normal(seed &+ 1, UInt64(i * d + t))
                }
            }
        }
        return out
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// BiLAF stage 2 with one core per cluster (its first sample).
    public static func stageTwo(n: Int = 60_000, d: Int = 1280, k: Int = 300, budget: Int = 6000,
                                features: Tensor? = nil) throws -> Timing {
        let x = features ?? clusteredFeatures(n: n, d: d, clusters: k)
        var output: BiLAF.Output?
        let s = try seconds { output = try BiLAF().select(features: x, cores: Array(0..<k), budget: budget) }
        let picked = output?.indices.count ?? 0
        return Timing(name: "BiLAF stage 2 N=\(n) d=\(d) K=\(k) B=\(budget)", seconds: s,
                      detail: "\(picked) picked, \(output?.outliers.count ?? 0) outliers")
    }

    /// ActiveFT's full-batch steps from K seeded random samples, plus the mapping back.
    public static func activeFT(n: Int = 60_000, d: Int = 1280, k: Int = 300, steps: Int = 300,
                                features: Tensor? = nil) throws -> Timing {
        let x = features ?? clusteredFeatures(n: n, d: d, clusters: k)
        var output: ActiveFT.Output?
        let s = try seconds { output = try ActiveFT(steps: steps).select(features: x, count: k, seed: 0) }
        let losses = output?.losses ?? []
        return Timing(name: "ActiveFT N=\(n) d=\(d) K=\(k) steps=\(steps)", seconds: s,
                      detail: String(format: "loss %.4f -> %.4f, %.1f%% of similarity rows computed", losses.first ?? .nan,
                                     losses.last ?? .nan, 100 * Double(output?.rowsComputed ?? 0) / Double(max(1, n * steps))))
    }
}
