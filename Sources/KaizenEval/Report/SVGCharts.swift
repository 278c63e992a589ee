import Foundation

/// Line and grouped-bar charts as self-contained SVG (inline in the HTML report).
public enum SVGChart {
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]

    /// One line: (x, y) points, drawn in order; `band` optionally gives (low, high) per point.
    public struct Line: Sendable {
        public var label: String
        public var points: [(Double, Double)]
        public var band: [(Double, Double)]?
        public init(label: String, points: [(Double, Double)], band: [(Double, Double)]? = nil) {
            self.label = label
            self.points = points
            self.band = band
        }
    }

    /// A line chart with axes, ticks and a legend. `logX` spaces x logarithmically (budgets, evaluations).
    public static func lines(title: String, xLabel: String, yLabel: String, lines: [Line], logX: Bool = false,
                             width: Double = 640, height: Double = 400) -> String {
        var pts: [(Double, Double)] = []
        for line in lines {
            pts += line.points
            if let band = line.band { for (p, b) in zip(line.points, band) { pts += [(p.0, b.0), (p.0, b.1)] } }
        }
        let tx: (Double) -> Double = { logX ? Foundation.log10(Swift.max($0, 1e-12)) : $0 }
        let xs = pts.map { tx($0.0) }, ys = pts.map(\.1)
        var (x0, x1) = (xs.min() ?? 0, xs.max() ?? 1), (y0, y1) = (ys.min() ?? 0, ys.max() ?? 1)
        if x1 - x0 < 1e-12 { x0 -= 1; x1 += 1 }
        let pad = (y1 - y0) * 0.08 + 1e-9
        y0 -= pad; y1 += pad
        let frame = Frame(width: width, height: height, x0: x0, x1: x1, y0: y0, y1: y1)
        var svg = frame.open(title: title, xLabel: xLabel, yLabel: yLabel)
        svg += frame.yTicks()
        let xTickValues = Array(Set(lines.flatMap { $0.points.map(\.0) })).sorted()
        for v in xTickValues.count <= 12 ? xTickValues : stride(from: 0, to: xTickValues.count, by: xTickValues.count / 8).map({ xTickValues[$0] }) {
            svg += String(format: #"<text x="%.1f" y="%.1f" text-anchor="middle" fill='#555'>%@</text>"#, frame.sx(tx(v)), height - 28, Frame.format(v))
        }
        for (i, line) in lines.enumerated() {
            let color = palette[i % palette.count]
            if let band = line.band, band.count == line.points.count {
                let upper = zip(line.points, band).map { String(format: "%.1f,%.1f", frame.sx(tx($0.0)), frame.sy($1.1)) }
                let lower = zip(line.points, band).reversed().map { String(format: "%.1f,%.1f", frame.sx(tx($0.0)), frame.sy($1.0)) }
                svg += #"<polygon points="\#((upper + lower).joined(separator: " "))" fill="\#(color)" fill-opacity="0.15"/>"#
            }
            let path = line.points.map { String(format: "%.1f,%.1f", frame.sx(tx($0.0)), frame.sy($0.1)) }.joined(separator: " ")
            svg += #"<polyline points="\#(path)" fill="none" stroke="\#(color)" stroke-width="2"/>"#
            // Point markers carry their values as tooltips (thinned on long curves).
            let every = Swift.max(1, line.points.count / 50)
            for (j, p) in line.points.enumerated() where j % every == 0 || j == line.points.count - 1 {
                svg += String(format: #"<circle cx="%.1f" cy="%.1f" r="3" fill="%@"><title>%@: %@, %@</title></circle>"#, frame.sx(tx(p.0)), frame.sy(p.1), color,
                              SVGScatter.escape(line.label), Frame.format(p.0), Frame.format(p.1))
            }
            svg += frame.legend(i, line.label, color)
        }
        return svg + "</svg>"
    }

    /// Grouped bars: one group per category, one bar per series.
    public static func bars(title: String, yLabel: String, categories: [String], series: [(label: String, values: [Double])],
                            width: Double = 640, height: Double = 400) -> String {
        let all = series.flatMap(\.values)
        let y0 = Swift.min(0, all.min() ?? 0), y1 = (all.max() ?? 1) * 1.1 + 1e-9
        let frame = Frame(width: width, height: height, x0: 0, x1: Double(Swift.max(categories.count, 1)), y0: y0, y1: y1)
        var svg = frame.open(title: title, xLabel: "", yLabel: yLabel)
        svg += frame.yTicks()
        let groupWidth = (frame.sx(1) - frame.sx(0)) * 0.8
        let barWidth = groupWidth / Double(Swift.max(series.count, 1))
        for (c, category) in categories.enumerated() {
            let left = frame.sx(Double(c)) + (frame.sx(1) - frame.sx(0)) * 0.1
            for (s, entry) in series.enumerated() where c < entry.values.count {
                let v = entry.values[c]
                let top = frame.sy(Swift.max(v, 0)), bottom = frame.sy(Swift.min(v, 0))
                svg += String(format: #"<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%@"><title>%@: %@</title></rect>"#,
                              left + Double(s) * barWidth, top, barWidth * 0.92, Swift.max(bottom - top, 0.5),
                              palette[s % palette.count], SVGScatter.escape(entry.label), Frame.format(v))
            }
            svg += String(format: #"<text x="%.1f" y="%.1f" text-anchor="middle" fill='#555' font-size="11">%@</text>"#,
                          left + groupWidth / 2, height - 28, SVGScatter.escape(category))
        }
        for (s, entry) in series.enumerated() { svg += frame.legend(s, entry.label, palette[s % palette.count]) }
        return svg + "</svg>"
    }

    /// Plot-area geometry shared by the charts.
    struct Frame {
        let width: Double, height: Double, x0: Double, x1: Double, y0: Double, y1: Double
        let left = 60.0, right = 20.0, top = 36.0, bottom = 48.0
        func sx(_ x: Double) -> Double { left + (x - x0) / Swift.max(x1 - x0, 1e-12) * (width - left - right) }
        func sy(_ y: Double) -> Double { height - bottom - (y - y0) / Swift.max(y1 - y0, 1e-12) * (height - top - bottom) }

        func open(title: String, xLabel: String, yLabel: String) -> String {
            var s = #"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \#(Int(width)) \#(Int(height))" width="\#(Int(width))" height="\#(Int(height))" font-family="sans-serif" font-size="12" role="img">"#
            s += #"<rect width="100%" height="100%" fill="white"/>"#
            s += #"<text x="\#(left)" y="20" font-weight="bold">\#(SVGScatter.escape(title))</text>"#
            s += String(format: #"<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke='#333'/>"#, left, height - bottom, width - right, height - bottom)
            s += String(format: #"<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke='#333'/>"#, left, top, left, height - bottom)
            s += #"<text x="\#((left + width - right) / 2)" y="\#(height - 8)" text-anchor="middle">\#(SVGScatter.escape(xLabel))</text>"#
            s += #"<text x="14" y="\#((top + height - bottom) / 2)" text-anchor="middle" transform="rotate(-90 14 \#((top + height - bottom) / 2))">\#(SVGScatter.escape(yLabel))</text>"#
            return s
        }

        func yTicks() -> String {
            var s = ""
            for i in 0...4 {
                let v = y0 + (y1 - y0) * Double(i) / 4
                s += String(format: #"<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke='#eee'/><text x="%.1f" y="%.1f" text-anchor="end" fill='#555'>%@</text>"#,
                            left, sy(v), width - right, sy(v), left - 6, sy(v) + 4, Frame.format(v))
            }
            return s
        }

        func legend(_ i: Int, _ label: String, _ color: String) -> String {
            let y = top + 8 + Double(i) * 16
            return String(format: #"<rect x="%.1f" y="%.1f" width="10" height="10" fill="%@"/><text x="%.1f" y="%.1f">%@</text>"#,
                          width - right - 150, y - 9, color, width - right - 135, y, SVGScatter.escape(label))
        }

        static func format(_ v: Double) -> String {
            let a = Swift.abs(v)
            if v == v.rounded(), a < 1e6 { return String(format: "%.0f", v) }
            if a >= 1000 || (a < 0.01 && a > 0) { return String(format: "%.2g", v) }
            return a >= 10 ? String(format: "%.0f", v) : String(format: "%.2f", v)
        }
    }
}
