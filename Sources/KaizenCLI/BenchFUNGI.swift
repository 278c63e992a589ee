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
        once before timing. Rounds alternate; the best time of each side counts.

        Example:
          kaizen bench fungi --model efficientnet-lite0 --images x.npy --objectives kl,simclr \\
              --patch-grid 3 --negatives neg.npy --projection sparse --threads 1 --json
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
        func seconds(_ body: () throws -> Void) rethrows -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        var forward = Double.infinity, features = Double.infinity
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
            forward = Swift.min(forward, f)
            features = Swift.min(features, g)
            common.log(String(format: "round %d: forward passes %.2f s, features %.2f s", round, f, g))
        }
        let overhead = features / forward - 1
        let projection = fungi.projection
        if common.json {
            try JSONOutput.print(["images": count, "objectives": chosen.map(\.rawValue), "projection": projection, "threads": BLAS.threads,
                                  "forward_seconds": forward, "features_seconds": features, "overhead": overhead])
        } else {
            print(String(format: "%d images, %@, projection %@: forward passes %.2f s, features %.2f s, overhead %.0f%% (%d threads)",
                         count, chosen.map(\.rawValue).joined(separator: "+"), projection, forward, features, overhead * 100, BLAS.threads))
        }
    }
}
