import ArgumentParser
import Foundation
import Kaizen

/// `kaizen probe`: a linear probe trained on all training rows, or only on selected ones.
struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Linear-probe accuracy: multinomial logistic regression with L2 (strength chosen on a held-out 20% of the training rows).",
        discussion: """
        Examples:
          kaizen probe --train tr.npy --train-labels tr.txt --test te.npy \\
              --test-labels te.txt --json
          kaizen probe --train pool.npy --train-labels pool.txt \\
              --indices selection.json --test te.npy --test-labels te.txt
        """
    )
    @Option(help: "Training features (.npy [N, d]).") var train: String
    @Option(help: "Training labels, one per line.") var trainLabels: String
    @Option(help: "Test features (.npy [M, d]).") var test: String
    @Option(help: "Test labels, one per line.") var testLabels: String
    @Option(help: "Train only on these rows: a selection JSON from `kaizen select` ({\"indices\": [...]}).") var indices: String?
    @Option(help: "Seed of the held-out split.") var seed: UInt64 = 42
    @OptionGroup var common: CommonOptions

    func run() throws {
        try common.withThreads {
            let data = try LabeledFeatures.load(train: train, trainLabels: trainLabels, test: test, testLabels: testLabels)
            var rows = Array(0..<data.train.shape[0])
            if let indices { rows = try ProbeCommand.readIndices(indices, poolSize: rows.count) }
            let x = try data.train.indexSelect(axis: 0, indices: rows)
            var probe = LinearProbe(seed: seed)
            try probe.fit(features: x, labels: rows.map { data.trainLabels[$0] }, classCount: data.classes.count)
            let m = try ClassificationMetrics(predictions: probe.predict(data.test), labels: data.testLabels, classCount: data.classes.count)
            if common.json {
                try JSONOutput.print(["top1": m.accuracy, "mean_per_class": m.meanPerClassAccuracy, "train_rows": rows.count,
                                      "lambda": probe.chosenLambda ?? 0, "classes": data.classes])
            } else {
                print(String(format: "linear probe on %d rows: top-1 %.2f%%  mean per class %.2f%%", rows.count, 100 * m.accuracy, 100 * m.meanPerClassAccuracy))
            }
        }
    }

    /// Row ids from a selection JSON; each must lie in the pool.
    static func readIndices(_ path: String, poolSize: Int) throws -> [Int] {
        let url = URL(fileURLWithPath: path)
        guard let data = try? Data(contentsOf: url) else { throw KaizenError.io(file: path, location: nil, reason: "cannot read the selection file") }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let ids = object["indices"] as? [Int] else {
            throw KaizenError.io(file: path, location: "indices", reason: "expected a JSON object with an integer array \"indices\"")
        }
        guard !ids.isEmpty else { throw KaizenError.io(file: path, location: "indices", reason: "the selection is empty") }
        if let bad = ids.first(where: { $0 < 0 || $0 >= poolSize }) {
            throw KaizenError.io(file: path, location: "indices", reason: "index \(bad) is outside the \(poolSize) training rows")
        }
        return ids
    }
}
