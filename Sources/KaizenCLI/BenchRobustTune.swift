import ArgumentParser
import Foundation
import Kaizen

/// `kaizen bench robusttune`: time per training step of SGD, FTP-SGD and SGD + TPGM on EfficientNet-Lite0.
struct RobustTuneBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "robusttune",
        abstract: "Time per step (forward + backward + update) of SGD, FTP around SGD, and SGD with a TPGM projection.",
        discussion: "Interleaved rounds, best of --repeats each. Example: kaizen bench robusttune --size 32 --threads 2 --json"
    )
    @Option(help: "Images per step.") var batch: Int = 32
    @Option(help: "Image side length.") var size: Int = 32
    @Option(help: "Timed rounds.") var repeats: Int = 10
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard batch >= 1, size >= 16, repeats >= 1 else { throw ValidationError("--batch and --repeats must be >= 1, --size >= 16") }
    }

    func run() throws {
        let t = try RobustTuneBenchmarks.efficientNetLite0StepOverhead(batch: batch, size: size, repeats: repeats, threads: common.threads ?? Parallel.maxThreads)
        if common.json {
            try JSONOutput.print(["sgd_ms": t.sgd, "ftp_sgd_ms": t.ftpSGD, "tpgm_ms": t.tpgm, "ftp_overhead": t.ftpOverhead,
                                  "ftp_saving_over_tpgm": t.ftpSavingOverTPGM, "batch": batch, "size": size])
        } else {
            print(t.description)
        }
    }
}
