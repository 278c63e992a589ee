import ArgumentParser
import Foundation
import Kaizen

/// `kaizen demo`: every capability on real data, with an HTML report.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the capabilities end to end on real data and write report/index.html and report/results.json.",
        discussion: """
        Examples:
          kaizen demo                 # everything (about 10 minutes on 2 cores)
          kaizen demo select          # one stage
          kaizen demo --quick         # smaller subsets, for a smoke test
          kaizen demo --redraw        # re-draw report/index.html from results.json
        """
    )
    static let stages = ["select", "evolve", "robusttune", "debias", "gradfeatures"]

    @Argument(help: "One stage to run: select, evolve, robusttune, debias, gradfeatures (default: all).") var stage: String?
    @Option(help: "Report folder.") var out: String = "report"
    @Option(help: "Feature cache folder.") var cache: String = ".cache/kaizen"
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Flag(help: "Smaller subsets (a smoke test of the whole pipeline).") var quick = false
    @Flag(help: "Only re-draw OUT/index.html from OUT/results.json (runs nothing).") var redraw = false
    @OptionGroup var common: CommonOptions

    func validate() throws {
        if redraw && (stage != nil || quick) { throw ValidationError("--redraw runs no stage; it takes only --out") }
        if let stage, !Self.stages.contains(stage) {
            throw ValidationError("unknown stage '\(stage)'; expected one of \(Self.stages.joined(separator: ", "))")
        }
    }

    func run() async throws {
        if redraw {
            let dir = URL(fileURLWithPath: out)
            let file = dir.appendingPathComponent("results.json")
            guard FileManager.default.fileExists(atPath: file.path) else {
                throw KaizenError.io(file: file.path, location: nil, reason: "not found; run `kaizen demo --out \(out)` first")
            }
            let json = try FileBytes.read(file)
            try AtomicFile.write(Data(try DemoReport.html(DemoResults(json: json)).utf8), to: dir.appendingPathComponent("index.html"))
            try finish("report re-drawn: \(out)/index.html")
            return
        }
        let ctx = DemoContext(outputDirectory: URL(fileURLWithPath: out), cacheDirectory: URL(fileURLWithPath: cache),
                              seed: seed, quick: quick, common: common)
        let start = Date()
        try await common.withThreads {
            let wants = { (name: String) in stage == nil || stage == name }
            if wants("select") || wants("evolve") {
                let data = try DemoData.load(ctx)
                if wants("select") { try SelectStage.run(ctx, data: data) }
                if wants("evolve") { try await EvolveStage.run(ctx, data: data) }
            }
            if wants("robusttune") { try RobustTuneStage.run(ctx) }
            if wants("debias") { try DebiasStage.run(ctx) }
            if wants("gradfeatures") { try GradFeaturesStage.run(ctx) }
        }
        ctx.results["seconds"] = Date().timeIntervalSince(start)
        try ctx.writeReport()
        try finish(String(format: "report written to %@/index.html (%.0f s)", out, Date().timeIntervalSince(start)))
    }

    /// The last log line, and the JSON object naming the report's files.
    private func finish(_ message: String) throws {
        common.log(message)
        if common.json { try JSONOutput.print(["report": "\(out)/index.html", "results": "\(out)/results.json"]) }
    }
}
