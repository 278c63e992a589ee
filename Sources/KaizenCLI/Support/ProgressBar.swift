import Foundation
import Kaizen

/// Writes to standard error without buffering surprises.
enum StandardError {
    static func write(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }
    static let isTerminal = isatty(STDERR_FILENO) == 1
}

/// Renders progress on stderr: an updating bar with rate and ETA on a terminal, and a plain line
/// every ~10% (or 5 s) otherwise, so logs of CI runs stay readable.
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let start = Date()
    private let lock = NSLock()
    private var lastDraw = Date.distantPast
    private var lastFraction = -1.0

    init(label: String) { self.label = label }

    var handler: ProgressHandler { { [self] done, total in self.update(done, total) } }

    func update(_ done: Int, _ total: Int) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        let fraction = total > 0 ? Double(done) / Double(total) : 0
        let finished = done >= total
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        if StandardError.isTerminal {
            guard finished || now.timeIntervalSince(lastDraw) > 0.1 else { return }
            let width = 28
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            StandardError.write(String(format: "\r%@ [%@] %d/%d  %.1f/s  ETA %@   ", label, bar, done, total, rate, ProgressBar.clock(eta)))
            if finished { StandardError.write(String(format: "\r%@ done: %d in %@ (%.1f/s)%@\n", label, total, ProgressBar.clock(elapsed), rate, String(repeating: " ", count: 30))) }
        } else {
            guard finished || fraction - lastFraction >= 0.1 || now.timeIntervalSince(lastDraw) > 5 else { return }
            lastFraction = fraction
            StandardError.write(String(format: "%@: %d/%d (%.0f%%, %.1f/s, ETA %@)\n", label, done, total, fraction * 100, rate, ProgressBar.clock(eta)))
        }
        lastDraw = now
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
