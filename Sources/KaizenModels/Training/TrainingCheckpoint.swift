import Foundation
import KaizenTensor
import KaizenNN
import KaizenIO

/// What the training loops store in a classifier checkpoint to resume a run (the completed epoch
/// count and the optimiser's state next to the weights), and how they read it back. Shared by
/// `ClassifierTrainer` and `TextClassifierTrainer`.
enum TrainingCheckpoint {
    static let epochsKey = "kaizen.epochs_completed"
    static let optimizerPrefix = "optimizer."

    /// Metadata and extra tensors for a checkpoint after `epochsCompleted` epochs.
    static func contents(metadata: [String: String], epochsCompleted: Int, optimizer: any Optimizer,
                         extra: [(String, Tensor)] = []) -> (metadata: [String: String], tensors: [String: Tensor]) {
        var tensors: [String: Tensor] = [:]
        for (k, t) in optimizer.stateEntries() { tensors[optimizerPrefix + k] = t }
        for (k, t) in extra { tensors[k] = t }
        var meta = metadata
        meta[epochsKey] = String(epochsCompleted)
        return (meta, tensors)
    }

    /// Loads weights and optimiser state written by `contents` into `model` and `optimizer`;
    /// returns the number of completed epochs.
    static func restore(from url: URL, model: any Module, optimizer: any Optimizer) throws -> Int {
        let file = try SafeTensors.read(url)
        guard let done = file.metadata[epochsKey].flatMap(Int.init) else {
            throw KaizenError.io(file: url.path, location: epochsKey, reason: "not a training checkpoint (no epoch count); it cannot be resumed")
        }
        var weights: [String: Tensor] = [:], optimizerState: [String: Tensor] = [:]
        let extra = ClassifierCheckpoint.extraPrefix + optimizerPrefix
        for name in file.names {
            if name.hasPrefix(extra) {
                optimizerState[String(name.dropFirst(extra.count))] = try file.tensor(named: name)
            } else if !name.hasPrefix(ClassifierCheckpoint.extraPrefix) {
                weights[name] = try file.tensor(named: name)
            }
        }
        try model.loadStateDict(weights, strict: true)
        try optimizer.loadStateEntries(optimizerState)
        return done
    }
}
