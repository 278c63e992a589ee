import ArgumentParser
import Foundation
import Kaizen

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure engine and method throughput.",
        subcommands: [MatmulBench.self, ConvBench.self, OpsBench.self, RobustTuneBench.self, FUNGIBench.self]
    )
}

struct MatmulBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matmul",
        abstract: "Square float32 matmul through the engine: best of at least 10 timed repetitions after a warm-up.",
        discussion: "Example: kaizen bench matmul --size 1024 --threads 2 --json"
    )
    @Option(help: "Matrix size N (N x N times N x N).") var size: Int = 1024
    @Option(help: "Timed repetitions (at least 10).") var repeats: Int = 10
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard size > 0 else { throw ValidationError("--size must be positive, got \(size)") }
    }

    func run() throws { try common.withThreads { try measure() } }

    private func measure() throws {
        var rng = RandomGenerator(seed: 0)
        let a = rng.normal([size, size]), b = rng.normal([size, size])
        ThreadWarmUp.run()
        _ = try a.matmul(b)
        var best = Double.infinity
        for _ in 0..<max(repeats, 10) {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try a.matmul(b)
            let secs = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            best = min(best, secs)
        }
        let gflops = 2 * pow(Double(size), 3) / best / 1e9
        if common.json {
            try JSONOutput.print(["gflops": gflops, "size": size, "threads": Parallel.maxThreads, "seconds": best, "blas_core": BLASCore.name])
        } else {
            print(String(format: "matmul %d x %d: %.1f GFLOP/s (best %.3f ms, %d threads, OpenBLAS %@ kernels)", size, size, gflops, best * 1e3,
                         Parallel.maxThreads, BLASCore.name))
        }
    }
}
