import Dispatch
import KaizenTensor
import KaizenNN
import KaizenModels

/// Per-step timing of robust fine-tuning methods, to check FTP's claim (Tian et al., NeurIPS 2023)
/// that it adds little over its base optimiser and is faster than TPGM.
public enum RobustTuneBenchmarks {
    /// Best milliseconds per training step (forward + backward + update) of each method.
    public struct StepTimes: Sendable, Equatable, CustomStringConvertible {
        /// Plain SGD (momentum 0.9, Nesterov).
        public var sgd: Double
        /// FTP around the same SGD.
        public var ftpSGD: Double
        /// SGD step followed by one TPGM projection (validation forward + backward, MARS norm).
        public var tpgm: Double

        /// FTP's time over plain SGD's, minus 1 (0.10 = 10% slower).
        public var ftpOverhead: Double { ftpSGD / sgd - 1 }
        /// 1 - FTP's time over TPGM's (0.35 = FTP takes 35% less time per step).
        public var ftpSavingOverTPGM: Double { 1 - ftpSGD / tpgm }

        public var description: String {
            "sgd \(format(sgd)) ms, ftp-sgd \(format(ftpSGD)) ms (+\(format(ftpOverhead * 100))%), tpgm \(format(tpgm)) ms (ftp \(format(ftpSavingOverTPGM * 100))% faster)"
        }

        private func format(_ x: Double) -> String { String(format: "%.1f", x) }
    }

    /// Times `repeats` steps (after a warm-up) of SGD, FTP-SGD and SGD+TPGM on a fresh model from
    /// `makeModel` each, with random images [batch, 3, size, size] and targets. `headNames` are left
    /// unconstrained. Uses `threads` for both BLAS and the engine's loops.
    public static func stepOverhead(makeModel: () throws -> any Layer, headNames: Set<String>, classes: Int,
                                    batch: Int = 32, size: Int = 64, repeats: Int = 5, threads: Int = 2) throws -> StepTimes {
        var rng = RandomGenerator(seed: 0)
        let x = rng.normal([batch, 3, size, size])
        let targets = (0..<batch).map { _ in rng.nextInt(below: classes) }
        let xVal = rng.normal([batch, 3, size, size])
        let valTargets = (0..<batch).map { _ in rng.nextInt(below: classes) }
        return try Parallel.$maxThreads.withValue(threads) {
            func stepper(_ model: any Layer, _ optimizer: any Optimizer, after: @escaping () throws -> Void) -> () throws -> Void {
                {
                    model.train()
                    optimizer.zeroGrad()
                    let loss = try Loss.crossEntropy(model(x), targets: targets)
                    try loss.backward()
                    try optimizer.step()
                    try after()
                }
            }
            let sgdModel = try makeModel()
            let sgd = stepper(sgdModel, try SGD(parameters: sgdModel.trainableParameters(), lr: 1e-3, momentum: 0.9, nesterov: true)) {}
            let ftpModel = try makeModel()
            let ftp = stepper(ftpModel, try TrainableProjection(base: try SGD(lr: 1e-3, momentum: 0.9, nesterov: true),
                                                                namedParameters: ftpModel.namedParameters(),
                                                                configuration: FTPConfiguration(excludedNames: headNames))) {}
            let tpgmModel = try makeModel()
            let projection = try TPGMProjection(model: tpgmModel, configuration: TPGMConfiguration(excludedNames: headNames))
            let tpgm = stepper(tpgmModel, try SGD(parameters: tpgmModel.trainableParameters(), lr: 1e-3, momentum: 0.9, nesterov: true)) {
                try projection.project { try Loss.crossEntropy(tpgmModel(xVal), targets: valTargets) }
            }
            // Interleaved rounds in rotating order, best of each, so load changes hit all three alike.
            let steps = [sgd, ftp, tpgm]
            for s in steps { try s() }
            var best = [Double](repeating: .infinity, count: 3)
            for round in 0..<Swift.max(repeats, 1) {
                for j in 0..<3 {
                    let i = (round + j) % 3
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    try steps[i]()
                    best[i] = Swift.min(best[i], Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
                }
            }
            let (sgdTime, ftpTime, tpgmTime) = (best[0], best[1], best[2])
            return StepTimes(sgd: sgdTime, ftpSGD: ftpTime, tpgm: tpgmTime)
        }
    }

    /// `stepOverhead` on pre-trained EfficientNet-Lite0 (needs KAIZEN_ASSETS; head `_fc` excluded),
    /// with a new 10-class head.
    public static func efficientNetLite0StepOverhead(batch: Int = 32, size: Int = 64, repeats: Int = 5, threads: Int = 2) throws -> StepTimes {
        try stepOverhead(makeModel: {
            let net = try EfficientNetLite0.pretrained()
            try net.replaceHead(classes: 10, seed: 0)
            return net
        }, headNames: ["_fc.weight", "_fc.bias"], classes: 10, batch: batch, size: size, repeats: repeats, threads: threads)
    }
}
