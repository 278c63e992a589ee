import Testing
import KaizenNN

/// End-to-end training on toy tasks: layers, autograd, losses and optimisers working together.
@Suite struct TrainingTests {
    @Test func mlpLearnsXor() throws {
        var rng = RandomGenerator(seed: 0)
        let model = Sequential(Linear(2, 8, rng: &rng), Tanh(), Linear(8, 2, rng: &rng))
        let x = try Tensor(shape: [4, 2], values: [0, 0, 0, 1, 1, 0, 1, 1])
        let y = [0, 1, 1, 0]
        let opt = try Adam(parameters: model.trainableParameters(), lr: 0.05)
        for _ in 0..<200 {
            opt.zeroGrad()
            try Loss.crossEntropy(model(x), targets: y).backward()
            try opt.step()
        }
        let logits = try noGrad { try model(x) }
        #expect(try Loss.accuracy(logits, targets: y) == 1)
        #expect(try Loss.crossEntropy(logits, targets: y).item() < 0.05)
    }

    /// 8x8 images whose left or right half is brighter, plus noise; label 0 = bright left.
    static func brightSideImages(count: Int, rng: inout RandomGenerator) throws -> (Tensor, [Int]) {
        var values: [Float] = []
        var labels: [Int] = []
        for i in 0..<count {
            let label = i % 2
            labels.append(label)
            for _ in 0..<8 {
                for col in 0..<8 {
                    let bright = (col < 4) == (label == 0)
                    values.append((bright ? 0.8 : 0.2) + 0.3 * Float(rng.nextNormal()))
                }
            }
        }
        return (try Tensor(shape: [count, 1, 8, 8], values: values), labels)
    }

    static func makeCNN(seed: UInt64) throws -> Sequential {
        var rng = RandomGenerator(seed: seed)
        return Sequential(
            try Conv2d(1, 4, kernel: (3, 3), padding: .symmetric(1), bias: false, rng: &rng),
            BatchNorm2d(4), ReLU(), MaxPool2d(kernel: (2, 2)), Flatten(), Linear(64, 2, rng: &rng))
    }

    @Test func cnnLearnsBrightSide() throws {
        var rng = RandomGenerator(seed: 1)
        let (trainX, trainY) = try Self.brightSideImages(count: 32, rng: &rng)
        let (testX, testY) = try Self.brightSideImages(count: 64, rng: &rng)
        let model = try Self.makeCNN(seed: 2)
        let opt = try SGD(parameters: model.trainableParameters(), lr: 0.05, momentum: 0.9)
        for _ in 0..<30 {
            opt.zeroGrad()
            try Loss.crossEntropy(model(trainX), targets: trainY).backward()
            try opt.step()
        }
        model.eval()
        let accuracy = try noGrad { try Loss.accuracy(model(testX), targets: testY) }
        #expect(accuracy == 1)
    }

    @Test func everyTrainableParameterMovesAfterOneStep() throws {
        var rng = RandomGenerator(seed: 3)
        let (x, y) = try Self.brightSideImages(count: 8, rng: &rng)
        let model = try Self.makeCNN(seed: 4)
        let before = model.namedParameters().map { ($0.0, $0.1.value.scalars) }
        let opt = try SGD(parameters: model.trainableParameters(), lr: 0.1)
        try Loss.crossEntropy(model(x), targets: y).backward()
        try opt.step()
        #expect(before.count == 5)
        for ((name, p), (_, old)) in zip(model.namedParameters(), before) {
            let change = zip(p.value.scalars, old).map { Swift.abs($0 - $1) }.max() ?? 0
            #expect(change > 0, "\(name) did not move: its gradient was dropped")
            #expect(p.grad.map { $0.scalars.allSatisfy(\.isFinite) } == true, "\(name) gradient")
        }
    }
}
