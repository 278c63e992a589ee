import ArgumentParser
import Foundation
import Kaizen

/// `kaizen bench fungi`: the cost of FUNGI's gradients and projection on top of the forward passes
/// its views need (issue 4's overhead target), on the same images and batches.
struct FUNGIBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fungi",
        abstract: "Time FUNGI image features against the forward passes of the same views alone.",
        discussion: """
        Both sides see the same batches: the forward side encodes the originals and every DINO crop \
        and SimCLR patch without autograd; the features side adds the heads, losses, the backward \
        pass to _conv_head, the per-image gradients and the projection. The SimCLR bank is encoded \
        once before timing. Rounds alternate; the best time of each side counts, in wall time and in \
        the process's CPU time (steadier on a shared machine).

        Example:
          kaizen bench fungi --model efficientnet-lite0 --images x.npy \\
              --objectives kl,simclr --patch-grid 3 --negatives neg.npy \\
              --projection sparse --threads 1 --json
        """
    )
    @OptionGroup var inputs: ModelInputs
    @OptionGroup var fungi: FUNGIOptions
    @Option(help: "Alternating timed rounds of each side.") var rounds: Int = 3
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard !inputs.isText else { throw ValidationError("bench fungi measures image models; give --images or --data") }
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1, got \(rounds)") }
    }

    func run() throws { try common.withThreads { try measure() } }

    private func measure() throws {
        let chosen = try fungi.objectives(isText: false)
        let (count, batch) = try inputs.imageBatches()
        let extractor = try fungi.imageExtractor(chosen, inputs: inputs, count: count, batch: batch, common: common)
        let size = extractor.configuration.batchSize
        // Wall time and the process's CPU time: on a shared machine the CPU time of a 1-thread run
        // is the steadier measure (other jobs stretch wall time, not CPU time).
        func seconds(_ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
            let start = DispatchTime.now().uptimeNanoseconds, cpu = ProcessCPUTime.seconds()
            try body()
            return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, ProcessCPUTime.seconds() - cpu)
        }
        var forward = (wall: Double.infinity, cpu: Double.infinity), features = forward
        for round in 1...rounds {
            let f = try seconds {
                var start = 0
                while start < count {
                    let r = start..<Swift.min(start + size, count)
                    _ = try extractor.viewForwards(batch(r))
                    start = r.upperBound
                }
            }
            let g = try seconds { _ = try extractor.features(count: count, batch: batch) }
            forward = (Swift.min(forward.wall, f.wall), Swift.min(forward.cpu, f.cpu))
            features = (Swift.min(features.wall, g.wall), Swift.min(features.cpu, g.cpu))
            common.log(String(format: "round %d: forward passes %.2f s (CPU %.2f s), features %.2f s (CPU %.2f s)", round, f.wall, f.cpu, g.wall, g.cpu))
        }
        let overhead = features.wall / forward.wall - 1, cpuOverhead = features.cpu / forward.cpu - 1
        let projection = fungi.projection
        if common.json {
            try JSONOutput.print(["images": count, "objectives": chosen.map(\.rawValue), "projection": projection, "threads": Parallel.maxThreads,
                                  "forward_seconds": forward.wall, "features_seconds": features.wall, "overhead": overhead,
                                  "forward_cpu_seconds": forward.cpu, "features_cpu_seconds": features.cpu, "cpu_overhead": cpuOverhead])
        } else {
            print(String(format: "%d images, %@, projection %@, %d threads: forward passes %.2f s, features %.2f s, overhead %.0f%%; CPU time %.2f s vs %.2f s, overhead %.0f%%",
                         count, chosen.map(\.rawValue).joined(separator: "+"), projection, Parallel.maxThreads, forward.wall, features.wall, overhead * 100,
                         forward.cpu, features.cpu, cpuOverhead * 100))
        }
    }
}

/// CPU time of the whole process (user + system, all threads).
enum ProcessCPUTime {
    static func seconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func secs(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return secs(usage.ru_utime) + secs(usage.ru_stime)
    }
}
