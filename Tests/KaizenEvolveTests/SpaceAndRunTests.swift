import Foundation
import Testing
@testable import KaizenEvolve

@Suite struct SpaceAndRunTests {
    @Test func boundedAndLogRoundTrip() throws {
        let space = try SearchSpace([
            try Variable.continuous("lr", lower: 1e-5, upper: 1e-1, log: true, initial: [1e-3]),
            try Variable.continuous("t", shape: [2], lower: -1, upper: 3),
            try Variable.continuous("free", initial: [2]),
            try Variable.continuous("pos", lower: 0, initial: [0.5]),
        ])
        let enc = space.encoding(discrete: false)
        #expect(enc.dimension == 5)
        #expect(enc.coordinates == [.bounded, .bounded, .bounded, .gaussian, .gaussian])
        let initial = try space.decode(enc.initial, discrete: false)
        #expect(abs(initial["lr"]!.numeric[0] - 1e-3) < 1e-15)
        #expect(initial["t"]!.numeric.allSatisfy { abs($0 - 1) < 1e-12 })  // middle of the bounds
        #expect(initial["free"]!.numeric == [2])
        #expect(abs(initial["pos"]!.numeric[0] - 0.5) < 1e-15)
        // Any z is feasible; extreme z stays within the bounds.
        for z in [-1e12, -30, -1, 0, 0.5, 7, 1e12] {
            let a = try space.decode([z, z, z, z, z], discrete: false)
            let lr = a["lr"]!.numeric[0]
            #expect(lr >= 1e-5 && lr <= 1e-1)
            #expect(a["t"]!.numeric.allSatisfy { $0 >= -1 && $0 <= 3 })
            #expect(a["pos"]!.numeric[0] >= 0)
            if abs(z) < 100 {
                // Round trip z -> x -> z.
                let back = SearchSpace.standardise(lr, lower: 1e-5, upper: 1e-1, log: true, sigma: 1, initial: 1e-3)
                #expect(abs(back - z) < 1e-8 * max(1, abs(z)))
            }
        }
        // Log scale: equal z steps multiply the value (for an unbounded log variable).
        let logSpace = try SearchSpace([try Variable.continuous("s", log: true, initial: [2])])
        let x1 = try logSpace.decode([1], discrete: false)["s"]!.numeric[0], x2 = try logSpace.decode([2], discrete: false)["s"]!.numeric[0]
        #expect(abs(x1 - 2 * exp(1)) < 1e-12 && abs(x2 / x1 - exp(1)) < 1e-12)
    }

    @Test func choiceEncodings() throws {
        let space = try SearchSpace([try Variable.choice("act", values: [.string("relu"), .string("gelu"), .string("tanh")], initialIndex: 1)])
        let cont = space.encoding(discrete: false), disc = space.encoding(discrete: true)
        #expect(cont.dimension == 3 && disc.dimension == 1)
        #expect(try space.decode(cont.initial, discrete: false)["act"] == .choices([.string("gelu")]))
        #expect(try space.decode([0.1, -2, 0.3], discrete: false)["act"] == .choices([.string("tanh")]))
        #expect(try space.decode([2], discrete: true)["act"] == .choices([.string("tanh")]))
        #expect(disc.coordinates == [.discrete(arity: 3)])
        #expect(throws: KaizenError.self) { try space.decode([0, 1], discrete: false) }
    }

    @Test func variableValidation() {
        #expect(throws: KaizenError.self) { try Variable.continuous("x", lower: 2, upper: 1) }
        #expect(throws: KaizenError.self) { try Variable.continuous("x", lower: -1, upper: 1, log: true) }
        #expect(throws: KaizenError.self) { try Variable.continuous("x", lower: 0, upper: 1, initial: [1]) }
        #expect(throws: KaizenError.self) { try Variable.choice("c", values: []) }
    }

    @Test func overfittingBoundKnownValue() throws {
        // n = 200, b = 100, k = 1, delta = 0.05: sqrt((4.60517 + 2.99573) / 400) = 0.137849
        let v = try OverfittingBound.value(validationSize: 200, evaluations: 100)
        #expect(abs(v - ((log(100.0) + log(20.0)) / 400).squareRoot()) < 1e-15)
        #expect(abs(v - 0.137_849) < 1e-5)
        // k runs multiply the candidates.
        #expect(try OverfittingBound.value(validationSize: 200, evaluations: 100, runs: 4) == OverfittingBound.value(validationSize: 200, evaluations: 400))
        #expect(throws: KaizenError.self) { try OverfittingBound.value(validationSize: 0, evaluations: 10) }
    }

    @Test func parsesSpaceJSON() throws {
        let json = """
        {"x": {"type": "array", "shape": [2, 3], "lower": -1, "upper": 1},
         "lr": {"type": "scalar", "lower": 0.0001, "upper": 1, "log": true, "init": 0.01},
         "t": {"type": "scalar"},
         "mode": {"type": "choice", "values": ["a", 2, true], "init": 2}}
        """
        let space = try SearchSpaceJSON.parse(Data(json.utf8))
        #expect(space.variables.map(\.name) == ["lr", "mode", "t", "x"])
        #expect(space.variables[3].shape == [2, 3])
        let a = try space.decode(space.encoding(discrete: false).initial, discrete: false)
        #expect(a["mode"] == .choices([.number(2)]))
        let text = try SearchSpaceJSON.text(a)
        #expect(text.contains("\"x\":[[0,0,0],[0,0,0]]"), "\(text)")
        #expect(text.contains("\"mode\":2"))
    }

    @Test func spaceJSONErrorsNameTheKey() {
        func message(_ json: String) -> String {
            do { _ = try SearchSpaceJSON.parse(Data(json.utf8), source: "s.json"); return "no error" } catch { return "\(error)" }
        }
        #expect(message("[1]").contains("must be a JSON object"))
        #expect(message("{").contains("not valid JSON"))
        #expect(message(#"{"w": {"type": "vector"}}"#).contains("key \"w\"") && message(#"{"w": {"type": "vector"}}"#).contains("unknown type"))
        #expect(message(#"{"w": {"type": "array", "lower": 0, "upper": 1}}"#).contains("needs \"shape\""))
        #expect(message(#"{"w": {"type": "scalar", "lower": 1, "upper": 0}}"#).contains("key \"w\""))
        #expect(message(#"{"w": {"type": "scalar", "lower": "a"}}"#).contains("\"lower\" must be a number"))
        #expect(message(#"{"w": {"type": "scalar", "lowr": 0}}"#).contains("unknown field \"lowr\""))
        #expect(message(#"{"c": {"type": "choice", "values": []}}"#).contains("non-empty"))
        #expect(message(#"{"c": {"type": "choice", "values": [1, 2], "init": 3}}"#).contains("must be one of"))
        #expect(message(#"{"w": {"type": "scalar", "log": true, "lower": 0, "upper": 1}}"#).contains("lower > 0"))
    }

    @Test func externalCommandObjective() async throws {
        let space = try SearchSpaceJSON.parse(Data(#"{"x": {"type": "array", "shape": [3], "lower": -4, "upper": 4}}"#.utf8))
        // The command reads the candidate JSON and prints sum((x - 1)^2).
        let script = "python3 -c 'import json,sys; c=json.load(sys.stdin); print(sum((v-1)**2 for v in c[\"x\"]))'"
        let probe = try space.decode([0, 0, 0], discrete: false)
        #expect(try await ExternalCommandObjective(command: script).evaluate(probe) == 3)
        // The same objective in awk (faster to start) drives a short run with two workers.
        let awk = #"awk '{gsub(/[^-0-9eE.,+]/, " "); n = split($0, v, ","); s = 0; for (i = 1; i <= n; i++) s += (v[i] - 1)^2; print s}'"#
        let objective = ExternalCommandObjective(command: awk)
        #expect(try await objective.evaluate(probe) == 3)
        let result = try await Evolve.minimize(objective.objective, space: space,
                                               optimizer: OnePlusOneES(encoding: space.encoding(discrete: false), seed: 0), budget: 40, workers: 2)
        #expect(result.evaluations == 40 && result.bestLoss < 1.5)
        // Maximisation negates; errors name the command and quote stderr.
        #expect(try await ExternalCommandObjective(command: "echo 2.5", maximize: true).evaluate(probe) == -2.5)
        await #expect { try await ExternalCommandObjective(command: "echo oops >&2; exit 3").evaluate(probe) } throws: { error in
            "\(error)".contains("echo oops >&2; exit 3") && "\(error)".contains("status 3") && "\(error)".contains("oops")
        }
        await #expect { try await ExternalCommandObjective(command: "echo not-a-number").evaluate(probe) } throws: { error in
            "\(error)".contains("instead of one number") && "\(error)".contains("not-a-number")
        }
    }

    @Test func resumeGivesTheSameTrajectory() async throws {
        let problem = try BenchmarkProblem(.rosenbrock, dimension: 4)
        let space = try problem.space
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-evolve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for kind in [OptimizerKind.onePlusOne, .cma, .de, .lengler] {
            let make = { try AnyOptimizer.make(kind, space: space, budget: 90, seed: 11) }
            let full = try await Evolve.minimize(problem.objective, space: space, optimizer: try make(), budget: 90)
            // Interrupt after 37 evaluations (a budget-37 run with a checkpoint), then resume to 90.
            let url = dir.appendingPathComponent("\(kind.rawValue).json")
            _ = try await Evolve.minimize(problem.objective, space: space, optimizer: try make(), budget: 37, checkpoint: url)
            var state = try EvolveState<AnyOptimizer>.load(from: url)
            state.budget = 90
            try state.save(to: url)
            let resumed = try await Evolve.resume(AnyOptimizer.self, from: url, objective: problem.objective, space: space)
            #expect(resumed.history == full.history, "\(kind)")
            #expect(resumed.recommendation == full.recommendation, "\(kind)")
        }
    }

    @Test func failingObjectiveLeavesACheckpointWithTheCandidateInFlight() async throws {
        let problem = try BenchmarkProblem(.sphere, dimension: 2)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-evolve-fail-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        let counter = Counter()
        let objective: Evolve.Objective = { a in
            await counter.increment()
            if await counter.value == 5 { throw KaizenError.numerical(detail: "boom") }
            return problem.value(a.flatNumeric)
        }
        await #expect(throws: KaizenError.self) {
            _ = try await Evolve.minimize(objective, space: try problem.space,
                                          optimizer: OnePlusOneES(encoding: try problem.space.encoding(discrete: false), seed: 0), budget: 10, checkpoint: url)
        }
        let state = try EvolveState<OnePlusOneES>.load(from: url)
        #expect(state.optimizer.evaluations == 4 && state.inFlight.count == 1 && state.inFlight[0].id == 4)
    }
}
