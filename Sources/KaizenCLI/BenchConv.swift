import ArgumentParser
import Foundation
import Kaizen

/// `kaizen bench conv`: forward and backward time of conv2d on EfficientNet-Lite0 shapes.
struct ConvBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conv",
        abstract: "Time conv2d (3x3, 1x1, depthwise) forward and backward on EfficientNet-Lite0 shapes.",
        discussion: "Example: kaizen bench conv --threads 1 --json"
    )
    @Option(help: "Timed repetitions per case (best is reported).") var repeats: Int = 7
    @Option(name: .customLong("case"), help: "Only the cases whose description contains this text (e.g. \"stem\" or \"N8 96\").")
    var caseFilter: String?
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1, got \(repeats)") }
        if let caseFilter, selectedCases.isEmpty {
            let known = ConvBenchmarks.efficientNetLite0Cases.map(\.description).joined(separator: "; ")
            throw ValidationError("--case \"\(caseFilter)\" matches no case; the cases are: \(known)")
        }
    }

    private var selectedCases: [ConvBenchmarks.Case] {
        let all = ConvBenchmarks.efficientNetLite0Cases
        guard let caseFilter else { return all }
        return all.filter { $0.description.contains(caseFilter) }
    }

    func run() throws {
        let threads = common.threads ?? ProcessInfo.processInfo.activeProcessorCount
        let results = try common.withThreads { try ConvBenchmarks.run(cases: selectedCases, threads: threads, repeats: repeats) }
        if common.json {
            try JSONOutput.print(["threads": threads, "results": results.map {
                ["case": $0.testCase.description, "direction": $0.direction, "milliseconds": $0.milliseconds] as [String: Any]
            }])
        } else {
            for r in results {
                print(String(format: "%-48@ %-8@ %2d threads  %8.3f ms", r.testCase.description as NSString, r.direction as NSString, r.threads, r.milliseconds))
            }
        }
    }
}

/// `kaizen bench ops`: elementwise and reduction throughput on 1M elements.
struct OpsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ops",
        abstract: "Throughput (GFLOP/s, with the flop weights of OpBenchmarks.flopsPerElement) of add, mul, relu, exp, gelu, sum and softmax on 1M floats.",
        discussion: "Example: kaizen bench ops --threads 1 --json"
    )
    @Option(help: "Elements.") var size: Int = 1 << 20
    @OptionGroup var common: CommonOptions

    func validate() throws { guard size > 0 else { throw ValidationError("--size must be positive, got \(size)") } }

    func run() throws {
        let result = common.withThreads { OpBenchmarks.elementwise(size: size, repeats: 20) }
        if common.json { try JSONOutput.print(["size": size, "gflops": result, "flops_per_element": OpBenchmarks.flopsPerElement]) } else {
            for (k, v) in result.sorted(by: { $0.key < $1.key }) { print(String(format: "%-8@ %6.1f GFLOP/s", k as NSString, v)) }
        }
    }
}
