import Testing
import KaizenNN

@Suite struct StateDictTests {
    @Test func roundTripCopiesValuesInPlace() throws {
        let source = try TinyNet(seed: 1), target = try TinyNet(seed: 2)
        let liveStorage = target.head.weight.value.storage
        var rng = RandomGenerator(seed: 4)
        _ = try source(rng.normal([2, 1, 5, 5]))   // moves running statistics
        try target.loadStateDict(Dictionary(uniqueKeysWithValues: source.stateDict()))
        for ((name, a), (_, b)) in zip(source.stateDict(), target.stateDict()) {
            #expect(a.scalars == b.scalars, "\(name)")
        }
        #expect(target.head.weight.value.storage === liveStorage)
        #expect(target.blocks.layers.count == 2)
    }

    @Test func stateDictIsASnapshot() throws {
        var rng = RandomGenerator(seed: 0)
        let layer = Linear(2, 2, rng: &rng)
        let snapshot = layer.stateDict()
        try layer.weight.subtract(Tensor.ones([2, 2]))
        #expect(snapshot[0].1.scalars != layer.weight.value.scalars)
    }

    @Test func reportsMissingUnexpectedAndMisshapedTogether() throws {
        let net = try TinyNet()
        var entries = Dictionary(uniqueKeysWithValues: net.stateDict())
        entries["head.bias"] = nil
        entries["blocks.0.bn.running_var"] = nil
        entries["head.extra"] = Tensor.zeros([1])
        entries["module.stem.weight"] = Tensor.zeros([1])
        entries["stem.weight"] = Tensor.zeros([4, 3, 3, 3])
        let report = net.checkStateDict(entries)
        #expect(report.missing == ["blocks.0.bn.running_var", "head.bias"])
        #expect(report.unexpected == ["head.extra", "module.stem.weight"])
        #expect(report.misshaped == [.init(name: "stem.weight", expected: [4, 1, 3, 3], got: [4, 3, 3, 3])])

        let before = net.stem.bias?.value.scalars
        do {
            try net.loadStateDict(entries)
            Issue.record("strict load of a mismatched state dict succeeded")
        } catch let error as KaizenError {
            let message = error.description
            for key in ["blocks.0.bn.running_var", "head.bias", "head.extra", "module.stem.weight", "stem.weight",
                        "[4, 1, 3, 3]", "[4, 3, 3, 3]"] {
                #expect(message.contains(key), "message lacks \(key): \(message)")
            }
        }
        #expect(net.stem.bias?.value.scalars == before, "nothing is written when loading fails")
    }

    @Test func nonStrictIgnoresKeysButNotShapes() throws {
        let net = try TinyNet()
        try net.loadStateDict(["head.bias": try Tensor(shape: [2], values: [7, 8]), "other": Tensor.zeros([3])], strict: false)
        #expect(net.head.bias?.value.scalars == [7, 8])
        #expect(throws: KaizenError.self) { try net.loadStateDict(["head.bias": Tensor.zeros([3])], strict: false) }
    }

    @Test func scalarBufferAcceptsOneElementTensors() throws {
        let bn = BatchNorm2d(2)
        var entries = Dictionary(uniqueKeysWithValues: bn.stateDict())
        entries["num_batches_tracked"] = Tensor(shape: [1], repeating: 12)
        try bn.loadStateDict(entries)
        #expect(bn.numBatchesTracked.value.scalars == [12])
    }
}
