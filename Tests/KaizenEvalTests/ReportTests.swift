import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import KaizenEval

@Suite struct ReportTests {
    static func wellFormed(_ xml: String) -> Bool {
        let parser = XMLParser(data: Data(xml.utf8))
        return parser.parse()
    }

    @Test func chartsAreWellFormedSVG() {
        let line = SVGChart.lines(title: "acc <vs> budget", xLabel: "budget", yLabel: "accuracy",
                                  lines: [.init(label: "BiLAF", points: [(30, 0.5), (60, 0.6)], band: [(0.45, 0.55), (0.58, 0.62)]),
                                          .init(label: "random", points: [(30, 0.4), (60, 0.5)])], logX: true)
        let bars = SVGChart.bars(title: "ID/OOD", yLabel: "accuracy", categories: ["clean", "noise"],
                                 series: [("FT", [0.9, 0.5]), ("FTP", [0.9, 0.6])])
        let scatter = SVGScatter(title: "map", series: [.init(label: "pool", points: [(0, 0), (1, 2)], color: "#aaa")]).render()
        for svg in [line, bars, scatter] {
            #expect(Self.wellFormed(svg))
            #expect(svg.hasPrefix("<svg") && !svg.contains("http-equiv") && !svg.contains("<script"))
        }
        #expect(line.contains("BiLAF") && line.contains("&lt;vs&gt;"))
        #expect(bars.components(separatedBy: "<rect").count - 1 >= 4 + 1)  // 4 bars + background (+ legend)
    }

    @Test func reportHasEverySectionSelfContained() {
        var report = HTMLReport(title: "Kaizen demo", intro: "intro")
        report.sections = [
            .init(id: "select", title: "Select", summary: "s", charts: [SVGChart.bars(title: "t", yLabel: "y", categories: ["a"], series: [("x", [1])])], table: [["method", "acc"], ["bilaf", "0.5"]]),
            .init(id: "evolve", title: "Evolve", summary: "e"),
        ]
        let html = report.html()
        #expect(html.contains(#"<section id="select">"#) && html.contains(#"<section id="evolve">"#))
        #expect(html.contains("<svg") && html.contains("<td>bilaf</td>"))
        #expect(!html.contains("src=\"http") && !html.contains("<link"))
    }
}
