import Foundation
import Kaizen

/// The demo's report/index.html, drawn from the numbers in results.json alone (the demo writes
/// results.json first, then renders the page from the parsed file), so the page cannot show a number
/// the JSON does not hold.
enum DemoReport {
    /// Results keys of the sections, in page order.
    static let sectionKeys = ["select", "evolve", "robusttune", "debias", "gradfeatures"]

    static func section(_ key: String, _ r: DemoResults) throws -> HTMLReport.Section {
        switch key {
        case "select": return try SelectStage.section(r)
        case "evolve": return try EvolveStage.section(r)
        case "robusttune": return try RobustTuneStage.section(r)
        case "debias": return try DebiasStage.section(r)
        default: return try GradFeaturesStage.section(r)
        }
    }

    static func html(_ results: DemoResults) throws -> String {
        let seed = results["settings"]["seed"].exists ? "\(try results["settings"]["seed"].int())" : "?"
        var report = HTMLReport(
            title: "Kaizen demo: making a pretrained model better, on real data",
            intro: "Every number on this page was computed by the run that wrote it (seed \(seed)), on Fashion-MNIST, Colored Fashion-MNIST and TREC with the ImageNet-pretrained EfficientNet-Lite0 and all-MiniLM-L6-v2, on this machine's CPU. results.json holds every number and setting.")
        report.sections = try sectionKeys.filter { results[$0].exists }.map { try section($0, results[$0]) }
        return report.html()
    }

    /// Writes results.json, then index.html rendered from the written bytes.
    static func write(results: [String: Any], to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let json = try JSONSerialization.data(withJSONObject: results, options: [.sortedKeys, .prettyPrinted])
        try AtomicFile.write(json, to: directory.appendingPathComponent("results.json"))
        try AtomicFile.write(Data(try html(DemoResults(json: json)).utf8), to: directory.appendingPathComponent("index.html"))
    }
}
