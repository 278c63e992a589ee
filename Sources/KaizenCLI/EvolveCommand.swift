import ArgumentParser
import Foundation
import Kaizen

/// `kaizen evolve`: gradient-free optimisation of a benchmark problem or of an external command's score.
struct EvolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evolve",
        abstract: "Gradient-free optimisation (AfterLearnER): retrofit a classifier for a metric, or optimise a benchmark problem or an external command's score.",
        discussion: """
        Examples:
          kaizen evolve --problem sphere --dim 10 --optimizer cma --budget 300 --json
          kaizen evolve --command "python3 score.py" --space space.json \\
                        --budget 100 --maximize --json
          kaizen evolve --model ft.safetensors --data fashion-mnist:test \\
                        --validation-size 300 --metric macro-f1 --budget 300 \\
                        --out retrofitted.safetensors --chart search.svg
          kaizen evolve --model ft.safetensors --target batchnorm-mix \\
                        --data fashion-mnist:test --corruption gaussian-noise \\
                        --validation-size 300 --budget 30 --json

        Retrofitting (--model) searches a few parameters of a trained classifier
        for --metric on a labelled validation set: per-class logit offsets
        (folded into the head's bias in --out) or, for image models, the mix
        between the source and the validation domain's BatchNorm statistics.
        The validation set is --images/--data/--text/--csv with --labels; the
        held-out set is --test-images/--test-data/--test-text/--test-csv with
        --test-labels, or else the examples not used for validation. Both scores
        are reported with the overfitting bound.

        --command runs through /bin/sh -c, reads the candidate as JSON on stdin
        (the keys of SPACE.json, arrays as nested lists) and prints one number
        (lower is better unless --maximize).

        --optimizer auto: only choices -> lengler; budget < 30 d -> one-plus-one;
        d <= 100 -> cma; larger d -> diagonal cma with room for 20 generations,
        de otherwise.
        """
    )

    @Option(help: "Benchmark problem: \(BenchmarkProblem.Name.allCases.map(\.rawValue).joined(separator: "|")).") var problem: String?
    @Option(help: "Dimension of the benchmark problem.") var dim: Int = 10
    @Option(help: "Shell command that scores a candidate (JSON on stdin, one number on stdout).") var command: String?
    @Option(help: "SPACE.json describing the variables (with --command).") var space: String?
    @Flag(help: "The command's number is a score to maximise.") var maximize = false
    @Option(help: "one-plus-one|lengler|cma|de|random|auto (default: auto; one-plus-one when retrofitting, as it starts from the trained model).")
    var optimizer: String?
    @Option(help: "Number of evaluations (tells), at least 1.") var budget: Int
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(help: "Candidates evaluated concurrently.") var workers: Int = 1
    @Option(help: "Checkpoint file: written during the run, resumed from when it exists.") var checkpoint: String?
    @Option(help: "Validation-set size: report the overfitting bound for it; with --model, the number of validation examples used.") var validationSize: Int?
    @Option(help: "Write the convergence chart (best score per evaluation) as SVG.") var chart: String?
    @OptionGroup var retrofit: RetrofitOptions
    @OptionGroup var common: CommonOptions

    func validate() throws {
        if let optimizer, OptimizerKind(rawValue: optimizer) == nil {
            throw ValidationError("unknown optimizer '\(optimizer)'; expected one of \(OptimizerKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard budget >= 1 else { throw ValidationError("--budget must be at least 1, got \(budget)") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1, got \(workers)") }
        if retrofit.model != nil {
            guard problem == nil, command == nil else { throw ValidationError("--model (retrofitting) excludes --problem and --command") }
            try retrofit.check()
            if let n = validationSize, n < 2 { throw ValidationError("--validation-size must be at least 2 with --model, got \(n)") }
            return
        }
        switch (problem, command) {
        case (nil, nil): throw ValidationError("give --model CKPT with validation data, --problem NAME, or --command CMD --space SPACE.json")
        case (_?, _?): throw ValidationError("--problem and --command are exclusive")
        case let (name?, nil):
            guard BenchmarkProblem.Name(rawValue: name) != nil else {
                throw ValidationError("unknown problem '\(name)'; expected one of \(BenchmarkProblem.Name.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard dim >= 1 else { throw ValidationError("--dim must be at least 1, got \(dim)") }
        case (nil, _?):
            guard let space else { throw ValidationError("--command needs --space SPACE.json") }
            do { _ = try SearchSpaceJSON.load(path: space) } catch { throw ValidationError("bad --space: \(error)") }
        }
        if let n = validationSize, n < 1 { throw ValidationError("--validation-size must be at least 1, got \(n)") }
    }

    func run() async throws {
        try await common.withThreads {
            if retrofit.model != nil { try await runRetrofit() } else { try await runSearch() }
        }
    }

    /// Progress lines (about 20 per run) with the best score so far, unless --quiet.
    func progressHandler(sign: Double = -1) -> (@Sendable (EvolveProgress) -> Void)? {
        guard !common.quiet else { return nil }
        let budget = self.budget
        return { p in
            guard p.evaluation % max(1, budget / 20) == 0 || p.evaluation == budget else { return }
            StandardError.write("evolve: \(p.evaluation)/\(p.budget) evaluations, best \(sign * p.bestSoFar)\n")
        }
    }

    /// Writes the convergence chart when --chart is given.
    func writeChart(_ bestSoFar: [Double], yLabel: String) throws {
        guard let chart else { return }
        let svg = SVGChart.lines(title: "Best score during the search", xLabel: "evaluations", yLabel: yLabel,
                                 lines: [.init(label: optimizer ?? "search", points: bestSoFar.enumerated().map { (Double($0.offset + 1), $0.element) })])
        try AtomicFile.write(Data(svg.utf8), to: URL(fileURLWithPath: chart))
    }

    /// A benchmark problem or an external command.
    func runSearch() async throws {
        let kind = optimizer.flatMap(OptimizerKind.init(rawValue:)) ?? .auto
        let searchSpace: SearchSpace
        let objective: Evolve.Objective
        var benchmark: BenchmarkProblem?
        if let name = problem.flatMap(BenchmarkProblem.Name.init(rawValue:)) {
            let p = try BenchmarkProblem(name, dimension: dim, seed: seed)
            benchmark = p
            searchSpace = try p.space
            objective = p.objective
        } else {
            searchSpace = try SearchSpaceJSON.load(path: space ?? "")
            objective = ExternalCommandObjective(command: command ?? "", maximize: maximize).objective
        }
        let sign = (benchmark == nil && maximize) ? -1.0 : 1.0
        let progress = progressHandler(sign: sign)
        let result: EvolveResult<AnyOptimizer>
        let url = checkpoint.map { URL(fileURLWithPath: $0) }
        if let url, FileManager.default.fileExists(atPath: url.path) {
            var state = try EvolveState<AnyOptimizer>.load(from: url)
            state.budget = budget
            result = try await Evolve.run(objective, space: searchSpace, state: state, workers: workers,
                                          checkpoint: url, checkpointEvery: 1, progress: progress)
        } else {
            let opt = try AnyOptimizer.make(kind, space: searchSpace, budget: budget, workers: workers, seed: seed)
            result = try await Evolve.minimize(objective, space: searchSpace, optimizer: opt, budget: budget, workers: workers,
                                               checkpoint: url, progress: progress)
        }
        try writeChart(result.history.map { sign * $0.bestSoFar }, yLabel: benchmark == nil && maximize ? "best score" : "best value (lower is better)")
        var out: [String: Any] = [
            "best_value": sign * result.bestLoss,
            "evaluations": result.evaluations,
            "optimizer": result.state.optimizer.kind.rawValue,
            "history": result.history.map { sign * $0.bestSoFar },
        ]
        if let a = result.assignment {
            out["recommendation"] = benchmark != nil ? a.flatNumeric : SearchSpaceJSON.object(a)
        }
        if let n = validationSize {
            out["overfitting_bound"] = try OverfittingBound.value(validationSize: n, evaluations: result.evaluations)
        }
        if common.json {
            let data = try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("best value \(sign * result.bestLoss) after \(result.evaluations) evaluations (\(result.state.optimizer.kind.rawValue))")
            if let a = result.assignment { print("recommendation: \(try SearchSpaceJSON.text(a))") }
        }
    }
}
