import ArgumentParser
import Kaizen

/// Flags every subcommand shares: threads, quiet, json.
struct CommonOptions: ParsableArguments {
    @Option(help: "Threads for BLAS and Kaizen's kernels (default: all cores).") var threads: Int?
    @Flag(help: "Print one JSON object on stdout (logs and progress go to stderr).") var json = false
    @Flag(help: "No progress or log lines on stderr.") var quiet = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    /// Runs `body` with the thread setting as the budget of every kernel, matrix products included.
    func withThreads<T>(_ body: () throws -> T) rethrows -> T {
        guard let threads else { return try body() }
        return try Parallel.$maxThreads.withValue(threads) { try body() }
    }

    func withThreads<T>(_ body: () async throws -> T) async rethrows -> T {
        guard let threads else { return try await body() }
        return try await Parallel.$maxThreads.withValue(threads) { try await body() }
    }

    /// A progress handler for `label`, or nil when quiet.
    func progress(_ label: String) -> ProgressHandler? {
        quiet ? nil : ProgressBar(label: label).handler
    }

    /// Logs a line to stderr unless quiet.
    func log(_ message: String) {
        if !quiet { StandardError.write(message + "\n") }
    }
}
