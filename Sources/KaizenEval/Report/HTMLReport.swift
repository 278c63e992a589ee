import Foundation

/// The demo's report: one self-contained HTML file (inline SVG, no external assets) with a section
/// per capability, and a JSON file with every number and the settings.
public struct HTMLReport: Sendable {
    /// One capability's section: a reading in plain language, charts, and a table.
    public struct Section: Sendable {
        public var id: String
        public var title: String
        public var summary: String
        public var charts: [String]
        public var table: [[String]]
        public init(id: String, title: String, summary: String, charts: [String] = [], table: [[String]] = []) {
            self.id = id
            self.title = title
            self.summary = summary
            self.charts = charts
            self.table = table
        }
    }

    public var title: String
    public var intro: String
    public var sections: [Section] = []

    public init(title: String, intro: String) {
        self.title = title
        self.intro = intro
    }

    public func html() -> String {
        func esc(_ s: String) -> String { SVGScatter.escape(s) }
        var h = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(esc(title))</title>
        <style>body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222;line-height:1.45}
        section{border-top:1px solid #ddd;margin-top:2em;padding-top:1em}table{border-collapse:collapse;margin:1em 0}
        td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
        .charts svg{margin:0.5em 0;max-width:100%;height:auto}nav a{margin-right:1em}</style></head><body>
        <h1>\(esc(title))</h1><p>\(esc(intro))</p><nav>
        """
        for s in sections { h += "<a href=\"#\(s.id)\">\(esc(s.title))</a>" }
        h += "</nav>\n"
        for s in sections {
            h += #"<section id="\#(s.id)"><h2>\#(esc(s.title))</h2><p class="summary">\#(esc(s.summary))</p><div class="charts">"#
            h += s.charts.joined(separator: "\n") + "</div>"
            if let header = s.table.first {
                h += "<table><tr>" + header.map { "<th>\(esc($0))</th>" }.joined() + "</tr>"
                for row in s.table.dropFirst() { h += "<tr>" + row.map { "<td>\(esc($0))</td>" }.joined() + "</tr>" }
                h += "</table>"
            }
            h += "</section>\n"
        }
        return h + "</body></html>\n"
    }
}
