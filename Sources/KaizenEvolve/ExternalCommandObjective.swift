import Foundation

/// An objective computed by an external program (`kaizen evolve --command`): `command` runs through
/// `/bin/sh -c`, receives the candidate as one JSON object on stdin (the space's keys, arrays as
/// nested lists) and prints one number on stdout. Lower is better unless `maximize` (then the
/// number is negated for the minimiser). A non-zero exit or an output that is not one number is an
/// error naming the command and quoting its stderr.
public struct ExternalCommandObjective: Sendable {
    public let command: String
    public let maximize: Bool

    public init(command: String, maximize: Bool = false) {
        self.command = command
        self.maximize = maximize
    }

    /// The objective for `Evolve.minimize`.
    public var objective: Evolve.Objective {
        let me = self
        return { try await me.evaluate($0) }
    }

    /// The command's number for one candidate (negated when maximising).
    public func evaluate(_ assignment: Assignment) async throws -> Double {
        let input = Data((try SearchSpaceJSON.text(assignment) + "\n").utf8)
        let (status, out, err) = try await Self.run(command, input: input)
        let stderrText = String(decoding: err, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let errSuffix = stderrText.isEmpty ? "" : "; stderr: \(stderrText.suffix(2000))"
        guard status == 0 else {
            throw KaizenError.io(file: "command `\(command)`", location: nil, reason: "exited with status \(status)\(errSuffix)")
        }
        let text = String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let value = Double(text), !value.isNaN else {
            throw KaizenError.io(file: "command `\(command)`", location: nil,
                                 reason: "printed \"\(text.prefix(200))\" instead of one number\(errSuffix)")
        }
        return maximize ? -value : value
    }

    /// Runs `/bin/sh -c command` with `input` on stdin; returns (exit status, stdout, stderr). The
    /// blocking work happens on a dispatch thread, not on the cooperative pool.
    static func run(_ command: String, input: Data) async throws -> (Int32, Data, Data) {
        // Writing the candidate to a command that already exited must fail with EPIPE, not kill us.
        signal(SIGPIPE, SIG_IGN)
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", command]
                let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
                process.standardInput = stdin
                process.standardOutput = stdout
                process.standardError = stderr
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: KaizenError.io(file: "/bin/sh", location: nil, reason: "cannot start `\(command)`: \(error)"))
                    return
                }
                // Drain both pipes concurrently so a chatty stderr cannot block the child.
                let group = DispatchGroup()
                let errBox = DataBox()
                group.enter()
                DispatchQueue.global().async {
                    errBox.data = stderr.fileHandleForReading.readDataToEndOfFile()
                    group.leave()
                }
                // A command that ignores stdin may exit before reading it: ignore write errors.
                try? stdin.fileHandleForWriting.write(contentsOf: input)
                try? stdin.fileHandleForWriting.close()
                let out = stdout.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, out, errBox.data))
            }
        }
    }
}

/// Carries the stderr bytes from the draining thread (written once, read after `group.wait()`).
private final class DataBox: @unchecked Sendable {
    var data = Data()
}
