import Foundation
import KaizenEval

/// The loop every gradient-based method shares: forward, check whether the whole tuning set is right
/// (t*), stop at t* + ε or at the cap, otherwise cross-entropy, backward and the method's update.
struct TuningLoop {
    let schedule: TuningSchedule
    let images: Tensor
    let labels: [Int]

    init(schedule: TuningSchedule, images: Tensor, labels: [Int], classCount: Int?) throws {
        try schedule.validate()
        try TuningData.check(images: images, labels: labels, classCount: classCount)
        self.schedule = schedule
        self.images = images
        self.labels = labels
    }

    /// `logits(x, step)` runs the model with a graph; `penalty()` is the penalty value for the loss log;
    /// `update(step)` turns the gradients left by `backward` into one optimiser update and clears them.
    func run(method: String, logits: (Tensor, Int) throws -> Tensor, penalty: () -> Double,
             update: (Int) throws -> Void) throws -> DebiasRunRecord {
        let start = Date()
        let k = labels.count
        let fullBatch = k <= schedule.batchSize
        var order: [Int] = Array(0..<k), cursor = k
        var rng = RandomGenerator(seed: schedule.seed)
        var firstCorrect: Int? = nil, stoppedEarly = false, losses: [Double] = []
        var step = 0
        while true {
            var batchLogits: Tensor? = nil
            let allCorrect: Bool
            if fullBatch {
                let out = try logits(images, step)
                batchLogits = out
                allCorrect = try Loss.accuracy(out, targets: labels) == 1
            } else {
                allCorrect = try noGrad { try Self.accuracy(images, labels, batchSize: schedule.batchSize) { try logits($0, step) } } == 1
            }
            if allCorrect && firstCorrect == nil { firstCorrect = step }
            if let delay = schedule.earlyStopDelay, let t = firstCorrect, step >= t + delay { stoppedEarly = true; break }
            if step >= schedule.maxSteps { break }
            let out: Tensor, targets: [Int]
            if let batchLogits {
                out = batchLogits; targets = labels
            } else {
                if cursor + schedule.batchSize > k { order = rng.permutation(k); cursor = 0 }
                let idx = Array(order[cursor..<(cursor + schedule.batchSize)])
                cursor += schedule.batchSize
                out = try logits(try images.indexSelect(axis: 0, indices: idx), step)
                targets = idx.map { labels[$0] }
            }
            let loss = try Loss.crossEntropy(out, targets: targets)
            losses.append(Double(try loss.item()) + penalty())
            try loss.backward()
            try update(step)
            step += 1
        }
        let final = try noGrad { try Self.accuracy(images, labels, batchSize: schedule.batchSize) { try logits($0, step) } }
        return DebiasRunRecord(method: method, steps: step, firstFullyCorrectStep: firstCorrect, stoppedEarly: stoppedEarly,
                               seconds: Date().timeIntervalSince(start), finalTuningAccuracy: final, losses: losses)
    }

    /// Accuracy over all rows, `batchSize` at a time.
    static func accuracy(_ images: Tensor, _ labels: [Int], batchSize: Int, _ forward: (Tensor) throws -> Tensor) throws -> Double {
        var correct = 0
        var start = 0
        while start < labels.count {
            let n = min(batchSize, labels.count - start)
            let out = try forward(try images.narrowed(axis: 0, start: start, length: n).contiguous())
            let predicted = try argmaxRows(out)
            for i in 0..<n where predicted[i] == labels[start + i] { correct += 1 }
            start += n
        }
        return Double(correct) / Double(max(labels.count, 1))
    }
}

/// Argument checks for a tuning set.
enum TuningData {
    static func check(images: Tensor, labels: [Int], classCount: Int?) throws {
        guard images.rank >= 2, images.shape[0] == labels.count else {
            throw KaizenError.shapeMismatch(op: "Debias.tune", detail: "tuneImages \(Shape.describe(images.shape)) for \(labels.count) tuneLabels (need one label per image)")
        }
        guard !labels.isEmpty else {
            throw KaizenError.invalidArgument(name: "tuneLabels", detail: "the tuning set is empty; give at least one bias-conflicting image")
        }
        if let c = classCount, let bad = labels.first(where: { $0 < 0 || $0 >= c }) {
            throw KaizenError.invalidArgument(name: "tuneLabels", detail: "label \(bad) outside 0..<\(c)")
        }
    }
}
