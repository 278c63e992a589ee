import Dispatch

/// Timings of conv2d on EfficientNet-Lite0 layer shapes (forward, and backward = input and weight
/// gradients; the stem's input needs none). The same cases live in scripts/bench/conv_pytorch.py.
public enum ConvBenchmarks {
    /// One convolution layer at one batch size and resolution.
    public struct Case: Sendable, CustomStringConvertible {
        public let name: String
        public let batch: Int, inChannels: Int, outChannels: Int, size: Int
        public let kernel: Int, stride: Int, groups: Int
        /// False for the stem, whose input is the image.
        public let inputNeedsGrad: Bool
        public var description: String {
            "\(name) N\(batch) \(inChannels)->\(outChannels) k\(kernel) s\(stride) @\(size)"
        }
    }

    /// A timing in milliseconds (best of the repetitions).
    public struct Result: Sendable {
        public let testCase: Case
        public let direction: String
        public let threads: Int
        public let milliseconds: Double
    }

    /// The layer shapes at batch 8 / 224 px and batch 64 / 64 px (sizes scaled by 64/224).
    public static var efficientNetLite0Cases: [Case] {
        let layers: [(String, Int, Int, Int, Int, Int, Int, Bool)] = [  // name, cin, cout, size@224, k, s, groups, needs
            ("stem 3x3/s2", 3, 32, 224, 3, 2, 1, false),
            ("depthwise 3x3", 96, 96, 56, 3, 1, 96, true),
            ("depthwise 3x3/s2", 144, 144, 56, 3, 2, 144, true),
            ("1x1 32->16", 32, 16, 112, 1, 1, 1, true),
            ("1x1 96->24", 96, 24, 56, 1, 1, 1, true),
            ("1x1 320->1280", 320, 1280, 7, 1, 1, 1, true),
            ("depthwise 5x5", 240, 240, 28, 5, 1, 240, true),
            ("depthwise 5x5/s2", 144, 144, 56, 5, 2, 144, true),
            ("depthwise 5x5", 672, 672, 14, 5, 1, 672, true),
            ("depthwise 5x5/s2", 672, 672, 14, 5, 2, 672, true),
        ]
        var cases: [Case] = []
        for (batch, resolution) in [(8, 224), (64, 64)] {
            for l in layers {
                let size = max(1, (l.3 * resolution + 111) / 224)
                cases.append(Case(name: l.0, batch: batch, inChannels: l.1, outChannels: l.2, size: size,
                                  kernel: l.4, stride: l.5, groups: l.6, inputNeedsGrad: l.7))
            }
        }
        return cases
    }

    /// Runs every case with `threads` threads for BLAS and the engine's loops.
    public static func run(cases: [Case] = efficientNetLite0Cases, threads: Int, repeats: Int = 7) throws -> [Result] {
        return try Parallel.$maxThreads.withValue(threads) {
            ThreadWarmUp.run()
            var results: [Result] = []
            for c in cases {
                let (f, b) = try measure(c, repeats: repeats)
                results.append(Result(testCase: c, direction: "forward", threads: threads, milliseconds: f))
                results.append(Result(testCase: c, direction: "backward", threads: threads, milliseconds: b))
            }
            return results
        }
    }

    /// Best-of-`repeats` forward and backward times (ms) of one case, after a warm-up.
    public static func measure(_ c: Case, repeats: Int) throws -> (forward: Double, backward: Double) {
        var rng = RandomGenerator(seed: 1)
        let x = rng.normal([c.batch, c.inChannels, c.size, c.size])
        let w = rng.normal([c.outChannels, c.inChannels / c.groups, c.kernel, c.kernel])
        let padding = Padding2D.same(inputHeight: c.size, inputWidth: c.size, kernel: (c.kernel, c.kernel),
                                     stride: (c.stride, c.stride))
        func forward(_ x: Tensor, _ w: Tensor) throws -> Tensor {
            try Functional.conv2d(x, weight: w, bias: nil, stride: (c.stride, c.stride), padding: padding, groups: c.groups)
        }
        var bestForward = Double.infinity, bestBackward = Double.infinity
        let seed = try noGrad { try forward(x, w) }.map { _ in 1 }
        for r in 0...repeats {
            var t0 = DispatchTime.now().uptimeNanoseconds
            _ = try noGrad { try forward(x, w) }
            var t1 = DispatchTime.now().uptimeNanoseconds
            if r > 0 { bestForward = min(bestForward, Double(t1 - t0) / 1e6) }
            let xt = c.inputNeedsGrad ? x.requiringGrad() : x
            let y = try forward(xt, w.requiringGrad())
            t0 = DispatchTime.now().uptimeNanoseconds
            try y.backward(seed: seed)
            t1 = DispatchTime.now().uptimeNanoseconds
            if r > 0 { bestBackward = min(bestBackward, Double(t1 - t0) / 1e6) }
        }
        return (bestForward, bestBackward)
    }
}
