import ArgumentParser
import Foundation
import Kaizen

/// `kaizen evolve`: gradient-free optimisation of a benchmark problem or of an external command's score.
struct EvolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evolve",
        abstract: "Gradient-free optimisation (AfterLearnER): a benchmark problem or an external command's score.",
        discussion: """
        Examples:
          kaizen evolve --problem sphere --dim 10 --optimizer cma --budget 300 --seed 0 --json
          kaizen evolve --command "python3 score.py" --space space.json --budget 100 --maximize --json
        The command runs through /bin/sh -c, reads the candidate as JSON on stdin (the keys of SPACE.json,
        arrays as nested lists) and prints one number (lower is better unless --maximize).
        --optimizer auto: only choices -> lengler; budget < 30 d -> one-plus-one; d <= 100 -> cma;
        larger d -> diagonal cma with room for 20 generations, de otherwise.
        """
    )

    @Option(help: "Benchmark problem: \(BenchmarkProblem.Name.allCases.map(\.rawValue).joined(separator: "|")).") var problem: String?
    @Option(help: "Dimension of the benchmark problem.") var dim: Int = 10
    @Option(help: "Shell command that scores a candidate (JSON on stdin, one number on stdout).") var command: String?
    @Option(help: "SPACE.json describing the variables (with --command).") var space: String?
    @Flag(help: "The command's number is a score to maximise.") var maximize = false
    @Option(help: "one-plus-one|lengler|cma|de|random|auto") var optimizer: String = "auto"
    @Option(help: "Number of evaluations (tells), at least 1.") var budget: Int
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(help: "Candidates evaluated concurrently.") var workers: Int = 1
    @Option(help: "Checkpoint file: written during the run, resumed from when it exists.") var checkpoint: String?
    @Option(help: "Validation-set size: report the overfitting bound for it.") var validationSize: Int?
    @Flag(help: "Print one JSON object on stdout.") var json = false

    func validate() throws {
        guard OptimizerKind(rawValue: optimizer) != nil else {
            throw ValidationError("unknown optimizer '\(optimizer)'; expected one of \(OptimizerKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard budget >= 1 else { throw ValidationError("--budget must be at least 1, got \(budget)") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1, got \(workers)") }
        switch (problem, command) {
        case (nil, nil): throw ValidationError("give --problem NAME or --command CMD --space SPACE.json")
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
        let kind = OptimizerKind(rawValue: optimizer) ?? .auto
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
        let budget = self.budget
        let progress: @Sendable (EvolveProgress) -> Void = { p in
            guard p.evaluation % max(1, budget / 20) == 0 || p.evaluation == budget else { return }
            let line = "evolve: \(p.evaluation)/\(p.budget) loss \(p.loss) best \(p.bestSoFar)\n"
            FileHandle.standardError.write(Data(line.utf8))
        }
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
        let sign = (benchmark == nil && maximize) ? -1.0 : 1.0
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
        if json {
            let data = try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("best value \(sign * result.bestLoss) after \(result.evaluations) evaluations (\(result.state.optimizer.kind.rawValue))")
            if let a = result.assignment { print("recommendation: \(try SearchSpaceJSON.text(a))") }
        }
    }
}
