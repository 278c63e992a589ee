import Foundation

/// A self-contained SVG scatter plot (no external assets), for selection maps and reports.
public struct SVGScatter: Sendable {
    /// One group of points drawn with the same style.
    public struct Series: Sendable {
        public var label: String
        public var points: [(Double, Double)]
        public var color: String
        public var radius: Double
        public var opacity: Double
        public init(label: String, points: [(Double, Double)], color: String, radius: Double = 2, opacity: Double = 0.8) {
            self.label = label
            self.points = points
            self.color = color
            self.radius = radius
            self.opacity = opacity
        }
    }

    public var title: String
    public var series: [Series]
    public var width = 640.0, height = 480.0

    public init(title: String, series: [Series]) {
        self.title = title
        self.series = series
    }

    public func render() -> String {
        let all = series.flatMap(\.points)
        let xs = all.map(\.0), ys = all.map(\.1)
        let (x0, x1) = (xs.min() ?? 0, xs.max() ?? 1), (y0, y1) = (ys.min() ?? 0, ys.max() ?? 1)
        let margin = 36.0
        func sx(_ x: Double) -> Double { margin + (x - x0) / Swift.max(x1 - x0, 1e-12) * (width - 2 * margin) }
        func sy(_ y: Double) -> Double { height - margin - (y - y0) / Swift.max(y1 - y0, 1e-12) * (height - 2 * margin) }
        var svg = #"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \#(Int(width)) \#(Int(height))" width="\#(Int(width))" height="\#(Int(height))" font-family="sans-serif" font-size="12">"#
        svg += #"<rect width="100%" height="100%" fill="white"/><text x="\#(margin)" y="20" font-weight="bold">\#(SVGScatter.escape(title))</text>"#
        for s in series {
            svg += #"<g fill="\#(s.color)" fill-opacity="\#(s.opacity)">"#
            for (x, y) in s.points { svg += String(format: #"<circle cx="%.1f" cy="%.1f" r="%.1f"/>"#, sx(x), sy(y), s.radius) }
            svg += "</g>"
        }
        for (i, s) in series.enumerated() {
            let y = 40.0 + Double(i) * 16
            svg += String(format: #"<circle cx="%.0f" cy="%.0f" r="5" fill="%@"/><text x="%.0f" y="%.0f">%@ (%d)</text>"#,
                          width - 170, y - 4, s.color, width - 160, y, SVGScatter.escape(s.label), s.points.count)
        }
        return svg + "</svg>\n"
    }

    public static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
