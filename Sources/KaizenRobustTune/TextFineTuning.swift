import Foundation
import KaizenTensor
import KaizenNN
import KaizenModels

/// RobustTune's fine-tuning methods on a `TextClassifier` (MiniLM with a new head): FT, FTP
/// (Tian et al., NeurIPS 2023; the head is excluded from the projection), L2-SP (Li et al., ICML 2018)
/// and LP-FT (Kumar et al., ICLR 2022). TPGM needs held-out image batches for its radii and is not
/// available for text.
public enum TextFineTuning {
    /// Methods that work on text classifiers.
    public static let supportedMethods: [FineTuneMethod] = [.ft, .ftp, .l2sp, .lpft]

    /// Fine-tunes `model` (head already sized to the classes) on `texts`/`labels` with `c`'s method,
    /// optimiser and training settings. `checkpoint` is written after every epoch; `resumeFrom`
    /// continues such a run. The report's image counts are text counts.
    public static func run(model: TextClassifier, texts: [String], labels: [Int], configuration c: RobustFineTuneConfiguration,
                           checkpoint: TextClassifierTrainer.Plan? = nil, resumeFrom: URL? = nil,
                           progress: ((String, Int, Int, Float) -> Void)? = nil) throws -> FineTuneReport {
        guard supportedMethods.contains(c.method) else {
            throw KaizenError.invalidArgument(name: "--method", detail: "\(c.method.rawValue) is not available for text classifiers; use one of \(supportedMethods.map(\.rawValue).joined(separator: ", "))")
        }
        let head = Set(model.headParameterNames)
        var plan = checkpoint
        plan?.metadata["method"] = c.method.rawValue
        plan?.metadata["optimizer"] = c.optimizer.rawValue
        var epochs: [EpochSummary] = []

        func trainer(_ optimizer: any Optimizer, _ training: TrainingConfiguration, phase: String) throws -> TextClassifierTrainer {
            let t = TextClassifierTrainer(model: model, optimizer: optimizer, configuration: training)
            t.checkpoint = plan.map { var p = $0; p.metadata["phase"] = phase; return p }
            t.progress = progress.map { report in { step, total, loss in report(phase, step, total, loss) } }
            if let resumeFrom, try RobustFineTuning.phaseOf(resumeFrom) == phase { try t.resume(from: resumeFrom) }
            return t
        }

        switch c.method {
        case .lpft:
            let stages = try LinearProbeThenFineTune(headNames: head, probeEpochs: c.probeEpochs, fineTuneEpochs: c.training.epochs - c.probeEpochs)
            if try resumeFrom.map(RobustFineTuning.phaseOf) != "fine-tune" {
                try stages.apply(.linearProbe, to: model)
                var probe = c.training
                probe.epochs = c.probeEpochs
                probe.learningRate = c.training.learningRate * c.probeLearningRateScale
                let opt = try RobustFineTuning.makeOptimizer(c, parameters: model.trainableParameters(), learningRate: probe.learningRate)
                epochs += try trainer(opt, probe, phase: "linear-probe").fit(texts: texts, labels: labels).epochs
            }
            try stages.apply(.fineTune, to: model)
            var full = c.training
            full.epochs = stages.fineTuneEpochs
            let opt = try RobustFineTuning.makeOptimizer(c, parameters: model.trainableParameters(), learningRate: full.learningRate)
            epochs += try trainer(opt, full, phase: "fine-tune").fit(texts: texts, labels: labels).epochs
        default:
            let base = try RobustFineTuning.makeOptimizer(c, parameters: model.trainableParameters(), learningRate: c.training.learningRate)
            let optimizer = try RobustFineTuning.wrapForMethod(base, c, namedParameters: model.namedParameters(), head: head)
            let t = try trainer(optimizer, c.training, phase: "train")
            if let penalty = try RobustFineTuning.l2spPenalty(c, namedParameters: model.namedParameters(), head: head) {
                t.penalty = { _ in try penalty() }
            }
            epochs = try t.fit(texts: texts, labels: labels).epochs
        }
        let seconds = TrainingHistory(epochs: epochs).secondsPerStep
        return FineTuneReport(method: c.method, optimizer: c.optimizer, learningRate: c.training.learningRate, epochs: c.training.epochs,
                              trainImages: texts.count, validationImages: 0, secondsPerStep: seconds, history: epochs, evaluation: nil)
    }
}
