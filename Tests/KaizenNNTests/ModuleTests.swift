import Testing
import KaizenNN

@Suite struct ModuleTests {
    @Test func parametersHavePyTorchDottedNames() throws {
        let net = try TinyNet()
        #expect(net.namedParameters().map(\.0) == [
            "stem.weight", "stem.bias",
            "blocks.0.conv.weight", "blocks.0.bn.weight", "blocks.0.bn.bias",
            "blocks.1.conv.weight", "blocks.1.bn.weight", "blocks.1.bn.bias",
            "head.weight", "head.bias",
        ])
        #expect(net.namedBuffers().map(\.0) == [
            "blocks.0.bn.running_mean", "blocks.0.bn.running_var", "blocks.0.bn.num_batches_tracked",
            "blocks.1.bn.running_mean", "blocks.1.bn.running_var", "blocks.1.bn.num_batches_tracked",
        ])
        // 4*1*9 + 4 + 2 * (4*4*9 + 4 + 4) + 2*4 + 2
        #expect(net.parameterCount == 36 + 4 + 2 * (144 + 8) + 8 + 2)
        #expect(net.namedParameters(prefix: "model").first?.0 == "model.stem.weight")
        #expect(net.parameter(named: "blocks.1.bn.bias") === net.namedParameters()[7].1)
        #expect(net.buffer(named: "blocks.0.bn.running_var")?.shape == [4])
        #expect(net.parameter(named: "blocks.2.bn.bias") == nil)
    }

    @Test func stateDictOrderIsParametersThenBuffersPerModule() throws {
        let bn = BatchNorm2d(3)
        #expect(bn.stateDict().map(\.0) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
    }

    @Test func sharedParametersAreListedOnce() throws {
        var rng = RandomGenerator(seed: 1)
        let a = Linear(3, 3, rng: &rng)
        let tied = Sequential(a, a)
        #expect(tied.namedParameters().map(\.0) == ["0.weight", "0.bias"])
        #expect(tied.namedParameters(includeShared: true).count == 4)
        #expect(tied.parameterCount == 12)
        #expect(tied.stateDict().count == 4)
    }

    @Test func trainAndEvalPropagateToEveryDescendant() throws {
        let net = try TinyNet()
        net.eval()
        #expect(net.namedModules().allSatisfy { !$0.1.trainingMode })
        #expect(net.namedModules().count == 1 + 1 + 1 + 2 * 3 + 1 + 1 + 1)
        net.train()
        #expect(net.namedModules().allSatisfy { $0.1.trainingMode })
    }

    @Test func evalModeMakesDropoutIdentityAndBatchNormUseRunningStats() throws {
        let dropout = try Dropout(p: 0.5, seed: 3)
        let x = Tensor.ones([4, 16])
        let trained = try dropout(x).scalars
        #expect(trained.contains(0) && trained.contains(2))
        dropout.eval()
        #expect(try dropout(x).scalars == x.scalars)

        let bn = BatchNorm2d(1)
        let input = try Tensor(shape: [2, 1, 1, 2], values: [1, 2, 3, 4])
        _ = try bn(input)
        // Running mean 0.1 * 2.5, running var 0.9 + 0.1 * unbiased var (5/3).
        #expect(Swift.abs(bn.runningMean.value.scalars[0] - 0.25) < 1e-6)
        #expect(Swift.abs(bn.runningVar.value.scalars[0] - (0.9 + 0.1 * 5 / 3)) < 1e-6)
        #expect(bn.numBatchesTracked.value.scalars == [1])
        bn.eval()
        let y = try bn(input).scalars
        let expected = [Float(1), 2, 3, 4].map { ($0 - 0.25) / (Float(0.9 + 0.1 * 5.0 / 3.0) + 1e-5).squareRoot() }
        for (a, b) in zip(y, expected) { #expect(Swift.abs(a - b) < 1e-5) }
        #expect(bn.numBatchesTracked.value.scalars == [1])
    }

    @Test func freezeStopsGradientsAndOptimiserUpdates() throws {
        let net = try TinyNet()
        net.freeze(prefixes: ["stem", "blocks.0"])
        let frozen = net.namedParameters().filter { $0.1.isFrozen }.map(\.0)
        #expect(frozen == ["stem.weight", "stem.bias", "blocks.0.conv.weight", "blocks.0.bn.weight", "blocks.0.bn.bias"])
        #expect(net.trainableParameterCount == net.parameterCount - (36 + 4 + 144 + 8))

        let before = net.namedParameters().map { ($0.0, $0.1.value.scalars) }
        let opt = try SGD(parameters: net.parameters(), lr: 0.5)
        var rng = RandomGenerator(seed: 9)
        let x = rng.normal([2, 1, 6, 6])
        try Loss.crossEntropy(net(x), targets: [0, 1]).backward()
        for (name, p) in net.namedParameters() {
            #expect((p.grad == nil) == p.isFrozen, "gradient presence for \(name)")
            #expect(!p.value.requiresGrad == p.isFrozen)
        }
        try opt.step()
        for ((name, p), (_, old)) in zip(net.namedParameters(), before) {
            #expect((p.value.scalars == old) == p.isFrozen, "update of \(name)")
        }
        net.unfreeze { $0.hasPrefix("stem") }
        #expect(!net.stem.weight.isFrozen && net.stem.weight.value.requiresGrad && net.blocks.layers.count == 2)
        #expect(net.namedParameters()[2].1.isFrozen)
    }

    @Test func parameterTakesAPrivateCopy() throws {
        let source = try Tensor(shape: [2], values: [1, 2])
        let p = Parameter(source)
        try p.subtract(Tensor.ones([2]))
        #expect(source.scalars == [1, 2])
        #expect(p.value.scalars == [0, 1])
        #expect(throws: KaizenError.self) { try p.subtract(Tensor.ones([3])) }
    }
}
