import Testing
@testable import KaizenData

@Suite struct ImageTransformsTests {
    /// [1, 1, 4, 5] with value 10*y + x.
    let ramp = try! Tensor(shape: [1, 1, 4, 5], values: (0..<20).map { Float(10 * ($0 / 5) + $0 % 5) })

    @Test func centerCropRoundsLikeTorchvision() throws {
        // torchvision: top = round((4-2)/2) = 1, left = round((5-2)/2) = round(1.5) = 2 (half to even)
        let c = try ImageTransforms.centerCrop(ramp, height: 2, width: 2)
        #expect(c.scalars == [12, 13, 22, 23])
        #expect(throws: KaizenError.self) { try ImageTransforms.centerCrop(ramp, height: 5, width: 2) }
    }

    @Test func greyToChannelsCopies() throws {
        let g = try ImageTransforms.greyToChannels(ramp)
        #expect(g.shape == [1, 3, 4, 5])
        let s = g.scalars
        #expect(Array(s[0..<20]) == ramp.scalars && Array(s[40..<60]) == ramp.scalars)
    }

    @Test func normalizeUsesPerChannelStatistics() throws {
        let x = Tensor(shape: [2, 3, 1, 2], repeating: 0.5)
        let y = try ImageTransforms.normalize(x).scalars
        for n in 0..<2 {
            for c in 0..<3 {
                let expected = (0.5 - ImageTransforms.imageNetMean[c]) / ImageTransforms.imageNetStd[c]
                #expect(abs(y[n * 6 + c * 2] - expected) < 1e-6 && abs(y[n * 6 + c * 2 + 1] - expected) < 1e-6)
            }
        }
        #expect(throws: KaizenError.self) { try ImageTransforms.normalize(ramp) }
    }

    @Test func flipMirrorsSelectedImagesDeterministically() throws {
        let two = try Tensor.concat([ramp, ramp], axis: 0)
        let f = try ImageTransforms.horizontalFlip(two, flip: [true, false]).scalars
        #expect(Array(f[0..<5]) == [4, 3, 2, 1, 0])
        #expect(Array(f[20..<25]) == [0, 1, 2, 3, 4])
        let batch = try Tensor.concat(Array(repeating: ramp, count: 32), axis: 0)
        let a = try ImageTransforms.randomHorizontalFlip(batch, seed: 7).scalars
        let b = try ImageTransforms.randomHorizontalFlip(batch, seed: 7).scalars
        #expect(a == b)
        let flipped = (0..<32).filter { a[$0 * 20] == 4 }.count
        #expect(flipped > 4 && flipped < 28)
    }

    @Test func randomResizedCropIsSeededAndStaysInRange() throws {
        var values = [Float](repeating: 0, count: 8 * 3 * 20 * 24)
        for i in values.indices { values[i] = Float(i % 97) / 96 }
        let x = try Tensor(shape: [8, 3, 20, 24], values: values)
        let crop = RandomResizedCrop(height: 10, width: 12)
        let a = try crop.apply(x, seed: 3), b = try crop.apply(x, seed: 3), c = try crop.apply(x, seed: 4)
        #expect(a.shape == [8, 3, 10, 12])
        #expect(a.scalars == b.scalars && a.scalars != c.scalars)
        #expect(a.scalars.allSatisfy { $0 >= -1e-6 && $0 <= 1 + 1e-6 })
        // Windows respect the area and aspect bounds.
        var rng = RandomGenerator(seed: 11)
        for _ in 0..<200 {
            let w = crop.sampleWindow(imageHeight: 20, imageWidth: 24, rng: &rng)
            #expect(w.top >= 0 && w.left >= 0 && w.top + w.height <= 20 && w.left + w.width <= 24)
        }
        // scale 1, ratio 1 on a square image must be the identity.
        let square = try x.narrowed(axis: 3, start: 0, length: 20).contiguousValues()
        let whole = try RandomResizedCrop(height: 20, width: 20, scale: 1...1, ratio: 1...1).apply(square, seed: 1)
        #expect(zip(whole.scalars, square.scalars).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func preparationMatchesTheCLIRecipe() throws {
        let grey = try Tensor(shape: [1, 1, 4, 6], values: (0..<24).map { Float(($0 * $0) % 7) / 7 })
        let p = try ImagePreparation.prepare(grey: grey, size: 2)
        #expect(p.shape == [1, 3, 2, 2])
        // Resized grey values (PyTorch antialiased bilinear to 2x2) then normalised per channel.
        let resized = try ImageResize.bilinear(grey, size: 2).scalars
        let s = p.scalars
        for c in 0..<3 {
            for k in 0..<4 {
                let e = (resized[k] - ImageTransforms.imageNetMean[c]) / ImageTransforms.imageNetStd[c]
                #expect(abs(s[c * 4 + k] - e) < 1e-6)
            }
        }
        #expect(throws: KaizenError.self) { try ImagePreparation.prepare(grey: Tensor.zeros([1, 3, 4, 4]), size: 2) }
        #expect(try ImagePreparation.prepare(rgb: Tensor.zeros([2, 3, 5, 5]), size: 3).shape == [2, 3, 3, 3])
    }
}
