import Testing
@testable import KaizenEval

@Suite struct MetricsTests {
    @Test func knownConfusion() throws {
        // truth: 0 0 1 1 2 ; predicted: 0 1 1 1 0
        let m = try ClassificationMetrics(predictions: [0, 1, 1, 1, 0], labels: [0, 0, 1, 1, 2], classCount: 3)
        #expect(m.accuracy == 0.6)
        #expect(m.perClassRecall == [0.5, 1.0, 0.0])
        #expect(Swift.abs(m.meanPerClassAccuracy - 0.5) < 1e-12)
        #expect(m.worstClassRecall == 0)
        // F1: class0 p=1/2 r=1/2 -> .5 ; class1 p=2/3 r=1 -> .8 ; class2 0 -> mean 0.4333
        #expect(Swift.abs(m.macroF1 - (0.5 + 0.8 + 0) / 3) < 1e-12)
        #expect(try m.costWeightedError(cost: [[0, 1, 1], [1, 0, 1], [5, 1, 0]]) == (1 + 5) / 5.0)
    }

    @Test func unknownLabelsCountAsErrors() throws {
        let m = try ClassificationMetrics(predictions: [0, 0], labels: [0, -1], classCount: 1)
        #expect(m.accuracy == 0.5)
    }

    @Test func emptyInputIsAnError() {
        #expect(throws: KaizenError.self) { try ClassificationMetrics(predictions: [], labels: [], classCount: 2) }
    }
}

@Suite struct KNNTests {
    @Test func majorityVoteAndTieToLowestLabel() throws {
        // 1-D points; test at 0.0: neighbours (k=4) at distances .1 (label 1), .2 (1), .3 (0), .4 (0) -> tie -> 0.
        let train = try Tensor(shape: [5, 1], values: [0.1, -0.2, 0.3, -0.4, 5])
        let labels = [1, 1, 0, 0, 1]
        let test = try Tensor(shape: [1, 1], values: [0])
        let knn = KNNClassifier(k: 4)
        #expect(try knn.predict(train: train, trainLabels: labels, test: test, classCount: 2) == [0])
        #expect(try KNNClassifier(k: 2).predict(train: train, trainLabels: labels, test: test, classCount: 2) == [1])
        #expect(try KNNClassifier(k: 5).predict(train: train, trainLabels: labels, test: test, classCount: 2) == [1])
    }

    @Test func matchesBruteForceOnRandomData() throws {
        var rng = RandomGenerator(seed: 4)
        let train = rng.normal([200, 8]), test = rng.normal([30, 8])
        let labels = (0..<200).map { $0 % 3 }
        var knn = KNNClassifier(k: 7)
        knn.blockSize = 7  // exercise blocking
        let fast = try knn.predict(train: train, trainLabels: labels, test: test, classCount: 3)
        let tr = train.scalars, te = test.scalars
        for i in 0..<30 {
            let dists = (0..<200).map { j in (0..<8).reduce(Float(0)) { $0 + (te[i * 8 + $1] - tr[j * 8 + $1]) * (te[i * 8 + $1] - tr[j * 8 + $1]) } }
            let nearest = (0..<200).sorted { (dists[$0], $0) < (dists[$1], $1) }.prefix(7)
            var votes = [0, 0, 0]
            for j in nearest { votes[labels[j]] += 1 }
            let expected = votes.firstIndex(of: votes.max() ?? 0) ?? 0
            #expect(fast[i] == expected)
        }
    }

    @Test func shapeErrorsNameTheProblem() {
        #expect(throws: KaizenError.self) {
            try KNNClassifier().predict(train: .zeros([3, 2]), trainLabels: [0, 1, 0], test: .zeros([1, 3]), classCount: 2)
        }
    }
}

@Suite struct PCATests {
    @Test func usesTrainStatisticsAndOrthonormalComponents() throws {
        var rng = RandomGenerator(seed: 9)
        // Anisotropic data: most variance along the first axis.
        let base = rng.normal([300, 3])
        let scale = try Tensor(shape: [3], values: [5, 1, 0.1])
        let train = try base * scale + 2
        let pca = try PCA(fit: train, dimensions: 2)
        let comps = pca.components.scalars
        for a in 0..<2 { for b in 0..<2 {
            let dot = (0..<3).reduce(Float(0)) { $0 + comps[a * 3 + $1] * comps[b * 3 + $1] }
            #expect(Swift.abs(dot - (a == b ? 1 : 0)) < 1e-4)
        } }
        #expect(Swift.abs(Swift.abs(comps[0]) - 1) < 0.02)  // first component ~ x axis
        #expect(pca.explainedVariance[0] > pca.explainedVariance[1])
        // The train mean maps to the origin; test data does not change the fit.
        let meanRow = try Tensor(shape: [1, 3], values: pca.mean)
        #expect(try pca.transform(meanRow).scalars.allSatisfy { Swift.abs($0) < 1e-4 })
        let shifted = try pca.transform(try Tensor(shape: [1, 3], values: pca.mean.map { $0 + 100 }))
        #expect(shifted.scalars.contains { Swift.abs($0) > 1 })
    }

    @Test func skipsWhenDimensionsTooLarge() {
        #expect(!PCA.applies(dimensions: 512, samples: 50, features: 1280))
        #expect(throws: KaizenError.self) { try PCA(fit: .zeros([10, 4]), dimensions: 4) }
    }
}

@Suite struct ProbeTests {
    @Test func lbfgsSolvesQuadratic() throws {
        let solution = try LBFGS().minimize([0, 0]) { x in
            let f = (x[0] - 3) * (x[0] - 3) + 10 * (x[1] + 1) * (x[1] + 1)
            return (f, [2 * (x[0] - 3), 20 * (x[1] + 1)])
        }
        #expect(Swift.abs(solution[0] - 3) < 1e-4 && Swift.abs(solution[1] + 1) < 1e-4)
    }

    @Test func separableDataIsLearned() throws {
        var rng = RandomGenerator(seed: 1)
        let n = 120
        var values: [Float] = [], labels: [Int] = []
        for i in 0..<n {
            let c = i % 3
            let centre: [Float] = [c == 0 ? 4 : 0, c == 1 ? 4 : 0, c == 2 ? 4 : 0]
            values += centre.map { $0 + Float(rng.nextNormal()) * 0.5 }
            labels.append(c)
        }
        let x = try Tensor(shape: [n, 3], values: values)
        var probe = LinearProbe()
        try probe.fit(features: x, labels: labels, classCount: 3)
        let acc = try ClassificationMetrics(predictions: probe.predict(x), labels: labels, classCount: 3).accuracy
        #expect(acc > 0.97)
        #expect(probe.chosenLambda != nil)
    }
}
