import Foundation

/// How many samples to select: an absolute count ("500") or a share of the pool ("2%" or "0.5%").
/// Percentages round down and never give less than one sample.
public enum Budget: Sendable, Equatable, CustomStringConvertible {
    case count(Int)
    case percent(Double)

    /// Parses "N" or "P%"; errors name the `--budget` argument.
    public init(parsing text: String) throws(KaizenError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("%") {
            guard let p = Double(trimmed.dropLast()), p.isFinite else {
                throw .invalidArgument(name: "--budget", detail: "'\(text)' is not a percentage; write e.g. 2% or 0.5%")
            }
            guard p > 0, p <= 100 else {
                throw .invalidArgument(name: "--budget", detail: "\(text) must be a percentage in (0, 100]")
            }
            self = .percent(p)
        } else {
            guard let n = Int(trimmed) else {
                throw .invalidArgument(name: "--budget", detail: "'\(text)' is neither a count (e.g. 500) nor a percentage (e.g. 2%)")
            }
            guard n > 0 else { throw .invalidArgument(name: "--budget", detail: "the budget must be at least 1, got \(n)") }
            self = .count(n)
        }
    }

    /// The number of samples for a pool of `poolSize`; throws when it is 0 or exceeds the pool.
    public func resolve(poolSize: Int) throws(KaizenError) -> Int {
        switch self {
        case .count(let n):
            guard n > 0 else { throw .invalidArgument(name: "--budget", detail: "the budget must be at least 1, got \(n)") }
            guard n <= poolSize else {
                throw .invalidArgument(name: "--budget", detail: "\(n) exceeds the pool of \(poolSize) samples")
            }
            return n
        case .percent(let p):
            guard p > 0, p <= 100, poolSize > 0 else {
                throw .invalidArgument(name: "--budget", detail: "\(p)% of a pool of \(poolSize) samples is not a valid budget")
            }
            // A tiny tolerance so that e.g. 1% of 300 is 3 despite binary rounding of p/100.
            let exact = p * Double(poolSize) / 100
            return max(1, min(poolSize, Int((exact + 1e-9).rounded(.down))))
        }
    }

    public var description: String {
        switch self {
        case .count(let n): return "\(n)"
        case .percent(let p):
            return p == p.rounded() ? "\(Int(p))%" : "\(p)%"
        }
    }
}
