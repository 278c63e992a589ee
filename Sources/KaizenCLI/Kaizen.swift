import ArgumentParser
import Kaizen

@main
struct KaizenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kaizen",
        abstract: "Make pretrained models better: select, robust-tune, debias, gradient features, evolve.",
        subcommands: [BenchCommand.self]
    )
}
