import ArgumentParser
import Foundation
import Kaizen

/// `kaizen select-eval`: compare selection methods by the test accuracy of a linear probe trained
/// only on the samples each one picks, over budgets and seeds.
struct SelectEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "select-eval",
        abstract: "Linear-probe test accuracy of each selection method at each budget, mean and spread over seeds.",
        discussion: """
        Example:
          kaizen select-eval --features pool.npy --labels pool.txt --test test.npy \\
              --test-labels test.txt --budgets 0.5%,1%,2%,5% \\
              --methods random,kmeans,coreset,activeft,bilaf --seeds 0,1,2 --json
        """
    )
    @Option(help: "Pool features (.npy [N, d]).") var features: String
    @Option(help: "Pool labels, one per line (only the selected ones are used for training).") var labels: String
    @Option(help: "Test features (.npy [M, d]).") var test: String
    @Option(help: "Test labels.") var testLabels: String
    @Option(help: "Comma-separated budgets (N or P%).") var budgets: String = "0.5%,1%,2%,5%"
    @Option(help: "Comma-separated methods.") var methods: String = "random,activeft,bilaf"
    @Option(help: "Comma-separated seeds.") var seeds: String = "0,1,2"
    @OptionGroup var common: CommonOptions

    func validate() throws {
        for m in methods.split(separator: ",") where SelectionMethod(rawValue: String(m)) == nil {
            throw ValidationError("unknown method '\(m)' in --methods; expected \(SelectionMethod.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        for b in budgets.split(separator: ",") {
            do { _ = try Budget(parsing: String(b)) } catch { throw ValidationError("\(error)") }
        }
        guard seeds.split(separator: ",").allSatisfy({ UInt64($0) != nil }) else { throw ValidationError("--seeds must be comma-separated integers") }
    }

    func run() throws {
        try common.withThreads {
            let data = try LabeledFeatures.load(train: features, trainLabels: labels, test: test, testLabels: testLabels)
            let methodList = methods.split(separator: ",").compactMap { SelectionMethod(rawValue: String($0)) }
            let budgetList = budgets.split(separator: ",").map(String.init)
            let seedList = seeds.split(separator: ",").compactMap { UInt64($0) }
            var results: [[String: Any]] = []
            var table = [["method"] + budgetList]
            for method in methodList {
                var row = [method.rawValue]
                for b in budgetList {
                    var accs: [Double] = []
                    for seed in seedList {
                        let sel = try Selection.select(features: data.train, budget: try Budget(parsing: b), method: method, seed: seed)
                        var probe = LinearProbe(seed: seed)
                        try probe.fit(features: data.train.indexSelect(axis: 0, indices: sel.indices),
                                      labels: sel.indices.map { data.trainLabels[$0] }, classCount: data.classes.count)
                        let acc = try ClassificationMetrics(predictions: probe.predict(data.test), labels: data.testLabels, classCount: data.classes.count).accuracy
                        accs.append(acc)
                        common.log(String(format: "%@ %@ seed %llu: %.2f%%", method.rawValue, b, seed, 100 * acc))
                    }
                    let mean = accs.reduce(0, +) / Double(accs.count)
                    let spread = (accs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(accs.count)).squareRoot()
                    results.append(["method": method.rawValue, "budget": b, "accuracies": accs, "mean": mean, "std": spread])
                    row.append(String(format: "%.1f ± %.1f", 100 * mean, 100 * spread))
                }
                table.append(row)
            }
            if common.json {
                try JSONOutput.print(["results": results, "seeds": seedList, "classes": data.classes])
            } else {
                for r in table { print(r.map { $0.padding(toLength: 14, withPad: " ", startingAt: 0) }.joined()) }
            }
        }
    }
}
