import ArgumentParser
import Foundation
import Kaizen

/// The `kaizen` root command.
struct KaizenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kaizen",
        abstract: "Make pretrained models better: select, robust-tune, debias, gradient features, evolve.",
        subcommands: [DemoCommand.self, EmbedCommand.self, EvalCommand.self, FinetuneCommand.self, DebiasCommand.self, DataCommand.self, FeaturesCommand.self, SelectCommand.self, SelectEvalCommand.self, KNNCommand.self, ProbeCommand.self, EvolveCommand.self, BenchCommand.self]
    )
}

/// Entry point with the exit codes users script against: 0 ok, 1 runtime error, 2 usage error.
@main
enum KaizenMain {
    static func main() async {
        BLASKernelSelection.reexecuteIfBetterKernelsExist()
        do {
            var command = try KaizenCommand.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = KaizenCommand.exitCode(for: error)
            let message = KaizenCommand.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                exit(0)
            }
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            exit(code == .validationFailure ? 2 : 1)
        }
    }
}
