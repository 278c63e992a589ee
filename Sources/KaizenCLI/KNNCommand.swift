import ArgumentParser
import Foundation
import Kaizen

/// `kaizen knn`: k-nearest-neighbour accuracy of features (the FUNGI evaluation protocol).
struct KNNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "knn",
        abstract: "k-NN accuracy of features: k=20, Euclidean, majority vote (optionally after PCA fitted on train).",
        discussion: "Example: kaizen knn --train tr.npy --train-labels tr.txt --test te.npy --test-labels te.txt --pca 256 --json"
    )
    @Option(help: "Training features (.npy [N, d]).") var train: String
    @Option(help: "Training labels, one per line.") var trainLabels: String
    @Option(help: "Test features (.npy [M, d]).") var test: String
    @Option(help: "Test labels, one per line.") var testLabels: String
    @Option(help: "Neighbours.") var k: Int = 20
    @Option(help: "Reduce to D dimensions by PCA fitted on the training rows (skipped when D >= d or >= N).") var pca: Int?
    @Option(help: "euclidean | cosine") var metric: String = "euclidean"
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard k >= 1 else { throw ValidationError("--k must be at least 1, got \(k)") }
        if let pca, pca < 1 { throw ValidationError("--pca must be at least 1, got \(pca)") }
        guard KNNClassifier.Metric(rawValue: metric) != nil else { throw ValidationError("unknown --metric '\(metric)'; expected euclidean or cosine") }
    }

    func run() throws {
        try common.withThreads {
            let data = try LabeledFeatures.load(train: train, trainLabels: trainLabels, test: test, testLabels: testLabels)
            var (xtr, xte) = (data.train, data.test)
            var appliedPCA: Int? = nil
            if let pca, PCA.applies(dimensions: pca, samples: xtr.shape[0], features: xtr.shape[1]) {
                let fitted = try PCA(fit: xtr, dimensions: pca)
                xtr = try fitted.transform(xtr)
                xte = try fitted.transform(xte)
                appliedPCA = pca
            } else if let pca {
                common.log("PCA to \(pca) skipped: features have \(xtr.shape[1]) dimensions and \(xtr.shape[0]) training rows")
            }
            let knn = KNNClassifier(k: k, metric: KNNClassifier.Metric(rawValue: metric) ?? .euclidean)
            let predictions = try knn.predict(train: xtr, trainLabels: data.trainLabels, test: xte, classCount: data.classes.count)
            let m = try ClassificationMetrics(predictions: predictions, labels: data.testLabels, classCount: data.classes.count)
            if common.json {
                try JSONOutput.print(["top1": m.accuracy, "mean_per_class": m.meanPerClassAccuracy, "k": k,
                                      "pca": appliedPCA.map { $0 as Any } ?? NSNull(), "metric": metric, "classes": data.classes])
            } else {
                print(String(format: "k-NN (k=%d, %@%@): top-1 %.2f%%  mean per class %.2f%%  (%d test samples, %d classes)",
                             k, metric, appliedPCA.map { ", PCA \($0)" } ?? "", 100 * m.accuracy, 100 * m.meanPerClassAccuracy, m.total, data.classes.count))
            }
        }
    }
}
