import ArgumentParser
import Foundation
import Kaizen

/// `kaizen select`: pick the samples worth labeling from a pool of features.
struct SelectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "select",
        abstract: "Choose which unlabeled samples to label (BiLAF over ActiveFT cores, or a baseline).",
        discussion: """
        Examples:
          kaizen select --features pool.npy --budget 1% --method bilaf \\
              --out selection.json
          kaizen select --features pool.npy --budget 500 --method kmeans --seed 1 \\
              --out sel.json --map sel.svg
        """
    )
    @Option(help: "Pool features: float32 .npy [N, d].") var features: String
    @Option(help: "Number of samples (N) or share of the pool (P%).") var budget: String
    @Option(help: "bilaf | activeft | random | kmeans | coreset") var method: String = "bilaf"
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(help: "BiLAF mode: safe (default) or strict (the official code's behaviour).") var mode: String = "safe"
    @Option(help: "Number of ActiveFT cores for BiLAF (default 0.5% of the pool, at most half the budget).") var cores: Int?
    @Option(help: "Output JSON with indices, cores, stages and scores.") var out: String
    @Option(help: "Also write an SVG map of the pool (2-D PCA) marking the picks.") var map: String?
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard SelectionMethod(rawValue: method) != nil else {
            throw ValidationError("unknown --method '\(method)'; expected one of \(SelectionMethod.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard BiLAF.Mode(rawValue: mode) != nil else { throw ValidationError("unknown --mode '\(mode)'; expected safe or strict") }
        do { _ = try Budget(parsing: budget) } catch { throw ValidationError("\(error)") }
        if let cores, cores < 1 { throw ValidationError("--cores must be at least 1, got \(cores)") }
    }

    func run() throws {
        try common.withThreads {
            let x = try NPY.read(URL(fileURLWithPath: features)).floatTensor()
            guard x.rank == 2 else {
                throw KaizenError.shapeMismatch(op: "--features", detail: "\(features) must hold a [N, d] matrix, got \(Shape.describe(x.shape))")
            }
            let parsedBudget = try Budget(parsing: budget)
            var options = SelectionOptions(coreCount: cores)
            options.bilaf.mode = BiLAF.Mode(rawValue: mode) ?? .safe
            let start = Date()
            let result = try Selection.select(features: x, budget: parsedBudget, method: SelectionMethod(rawValue: method) ?? .bilaf,
                                              seed: seed, mode: options.bilaf.mode, options: options, progress: common.progress("select"))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try AtomicFile.write(try encoder.encode(result), to: URL(fileURLWithPath: out))
            if let map { try writeMap(x, result, to: map) }
            common.log(String(format: "selected %d of %d samples with %@ in %.1f s -> %@", result.indices.count, x.shape[0], method, Date().timeIntervalSince(start), out))
            if common.json {
                try JSONOutput.print(["out": out, "budget": result.budget, "method": method, "selected": result.indices.count, "cores": result.cores.count])
            }
        }
    }

    private func writeMap(_ x: Tensor, _ result: SelectionResult, to path: String) throws {
        let svg = try SelectionMap.svg(features: x, result: result, title: "\(method) selection of \(result.budget) from \(x.shape[0]) (2-D PCA)")
        try AtomicFile.write(Data(svg.utf8), to: URL(fileURLWithPath: path))
    }
}
