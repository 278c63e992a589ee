import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// The demo's report (`kaizen demo --redraw` draws index.html from results.json exactly as a demo
/// run does): every section and chart is there, every chart is well-formed SVG, and every number in
/// the tables and in the bar and curve tooltips is one of results.json's numbers, as printed.
/// The fixture is the results.json of a real `kaizen demo` run (Fixtures/README.md).
@Suite struct DemoReportTests {
    static func fixture() throws -> Data {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/demo-results", withExtension: "json"))
        return try Data(contentsOf: url)
    }

    /// Draws the report of `results` and returns the HTML.
    static func draw(_ results: Data) throws -> (status: Int32, html: String, stderr: String) {
        let dir = try SubcommandErrorTests.scratch()
        try results.write(to: dir.appendingPathComponent("results.json"))
        let r = try CLIRunner.run(["demo", "--redraw", "--out", dir.path, "--quiet"])
        let html = (try? String(contentsOf: dir.appendingPathComponent("index.html"), encoding: .utf8)) ?? ""
        return (r.status, html, r.stderr)
    }

    /// Every number under a JSON value.
    static func numbers(_ v: Any) -> [Double] {
        if let d = v as? [String: Any] { return d.values.flatMap(numbers) }
        if let a = v as? [Any] { return a.flatMap(numbers) }
        if let n = v as? NSNumber { return [n.doubleValue] }
        return []
    }

    /// Whether `text` (a table cell or tooltip value) prints one of `values`, as is, as a percentage
    /// or in milliseconds, at the precision shown.
    static func printsOneOf(_ text: String, _ values: [Double]) -> Bool {
        var s = text.trimmingCharacters(in: .whitespaces)
        let percent = s.hasSuffix("%")
        if percent { s.removeLast() }
        guard Double(s) != nil else { return true }  // not a number: nothing to match
        let decimals = s.split(separator: ".").dropFirst().first?.count ?? 0
        let scales: [Double] = percent ? [100] : [1, 100, 1000]
        return values.contains { v in scales.contains { String(format: "%.\(decimals)f", v * $0) == s } }
            || (s.contains("e") && values.contains { String(format: "%.2g", $0) == s })
    }

    static func matches(_ pattern: String, in text: String) throws -> [[String]] {
        let re = try NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
        return re.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { m in
            (0..<m.numberOfRanges).map { i in Range(m.range(at: i), in: text).map { String(text[$0]) } ?? "" }
        }
    }

    @Test func everySectionAndChartIsThereAndNumbersMatchResults() throws {
        let data = try Self.fixture()
        let results = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let drawn = try Self.draw(data)
        try #require(drawn.status == 0, "\(drawn.stderr)")
        let sections = try Self.matches(#"<section id="(\w+)">(.*?)</section>"#, in: drawn.html)
        #expect(sections.map { $0[1] } == ["select", "evolve", "robusttune", "debias", "gradfeatures"])
        let gradDatasets = ((results["gradfeatures"] as? [String: Any])?["datasets"] as? [String])?.count ?? 0
        let expectedCharts = ["select": 2, "evolve": 2, "robusttune": 1, "debias": 1, "gradfeatures": gradDatasets]
        #expect(gradDatasets == 2)
        for section in sections {
            let id = section[1], body = section[2]
            let values = Self.numbers(results[id] as Any)
            let svgs = try Self.matches(#"<svg.*?</svg>"#, in: body).map { $0[0] }
            #expect(svgs.count == expectedCharts[id], "\(id): \(svgs.count) charts")
            for svg in svgs { #expect(XMLParser(data: Data(svg.utf8)).parse(), "\(id): a chart is not well-formed SVG") }
            #expect(body.contains(#"<p class="summary">"#), "\(id) has no reading")
            // Table cells (the header row is text).
            let cells = try Self.matches(#"<td>([^<]*)</td>"#, in: body).map { $0[1] }
            #expect(cells.count >= 4, "\(id): \(cells.count) table cells")
            for cell in cells { #expect(Self.printsOneOf(cell, values), "\(id): table cell \(cell) is not in results.json") }
            // Bar and curve tooltips: "label: value" and "label: x, y".
            // Bar tooltips "label: value"; curve tooltips "label: x, y" where x may be an evaluation count.
            for tip in try Self.matches(#"<title>[^<]*?: ([^<]*)</title>"#, in: body).map({ $0[1] }) {
                let parts = tip.components(separatedBy: ", ")
                if parts.count == 2 {
                    #expect(Int(parts[0]) != nil || Self.printsOneOf(parts[0], values), "\(id): tooltip x in \(tip)")
                }
                #expect(Self.printsOneOf(parts[parts.count - 1], values), "\(id): tooltip value \(tip) is not in results.json")
            }
        }
        #expect(!drawn.html.contains("src=\"http") && !drawn.html.contains("<link") && !drawn.html.contains("<script"))
    }

    @Test func aChangedNumberChangesThePageAndAMissingOneIsAnError() throws {
        let data = try Self.fixture()
        var results = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        var debias = try #require(results["debias"] as? [String: Any])
        var penalty = try #require(debias["change penalty"] as? [String: Any])
        penalty["unbiased"] = 0.12345
        debias["change penalty"] = penalty
        results["debias"] = debias
        let changed = try Self.draw(JSONSerialization.data(withJSONObject: results))
        #expect(changed.status == 0 && changed.html.contains("<td>12.3%</td>"))
        penalty["unbiased"] = nil
        debias["change penalty"] = penalty
        results["debias"] = debias
        let broken = try Self.draw(JSONSerialization.data(withJSONObject: results))
        #expect(broken.status == 1 && broken.stderr.contains("results.debias.change penalty.unbiased"))
    }
}
