import Testing
@testable import KaizenData

/// Expected values from PyTorch 1.13:
/// `F.interpolate(x, size, mode="bilinear", align_corners=False, antialias=True)` with
/// x = ((arange(24)^2) % 7 / 7).reshape(1, 1, 4, 6).
@Suite struct ImageResizeTests {
    let input: Tensor = {
        let values = (0..<24).map { Float(($0 * $0) % 7) / 7 }
        return try! Tensor(shape: [1, 1, 4, 6], values: values)
    }()

    func check(_ h: Int, _ w: Int, _ expected: [Float]) throws {
        let out = try ImageResize.bilinear(input, height: h, width: w)
        #expect(out.shape == [1, 1, h, w])
        let diff = zip(out.scalars, expected).map { abs($0 - $1) }.max() ?? 1
        #expect(diff < 2e-6, "max difference \(diff) for \(h)x\(w)")
    }

    @Test func shrinkMatchesPyTorchAntialias() throws {
        try check(2, 3, [0.139942, 0.311225, 0.370262, 0.309038, 0.165816, 0.344023])
        try check(3, 4, [0.064286, 0.320635, 0.350794, 0.410714, 0.25, 0.103175, 0.349206, 0.339286,
                         0.398214, 0.207937, 0.125397, 0.405357])
    }

    @Test func enlargeMatchesPlainBilinear() throws {
        // Identical with antialias=True and False when enlarging.
        try check(5, 9, [0.0, 0.071429, 0.214286, 0.5, 0.428571, 0.285714, 0.285714, 0.428571, 0.571429,
                         0.1, 0.071429, 0.080952, 0.233333, 0.378571, 0.452381, 0.319048, 0.328571, 0.371429,
                         0.357143, 0.214286, 0.071429, 0.071429, 0.214286, 0.369048, 0.416667, 0.357143, 0.285714,
                         0.485714, 0.378571, 0.233333, 0.080952, 0.071429, 0.157143, 0.385714, 0.407143, 0.371429,
                         0.285714, 0.428571, 0.5, 0.214286, 0.071429, 0.02381, 0.119048, 0.357143, 0.571429])
    }

    @Test func mixedEnlargeAndShrink() throws {
        try check(7, 2, [0.232143, 0.392857, 0.200255, 0.373725, 0.149235, 0.343112, 0.178571, 0.330357,
                         0.221939, 0.313776, 0.283163, 0.252551, 0.321429, 0.214286])
    }

    @Test func constantImageStaysConstantAndPlanesAreIndependent() throws {
        var values = [Float](repeating: 0.25, count: 2 * 3 * 9 * 7)
        for i in (9 * 7)..<(2 * 9 * 7) { values[i] = 0.75 }  // second plane of image 0
        let x = try Tensor(shape: [2, 3, 9, 7], values: values)
        let y = try ImageResize.bilinear(x, height: 4, width: 11)
        let s = y.scalars
        #expect(s[0..<44].allSatisfy { abs($0 - 0.25) < 1e-6 })
        #expect(s[44..<88].allSatisfy { abs($0 - 0.75) < 1e-6 })
        #expect(s[88...].allSatisfy { abs($0 - 0.25) < 1e-6 })
    }

    @Test func sameSizeIsACopyAndBadSizesThrow() throws {
        let y = try ImageResize.bilinear(input, height: 4, width: 6)
        #expect(y.scalars == input.scalars)
        #expect(y.storage !== input.storage)
        #expect(throws: KaizenError.self) { try ImageResize.bilinear(input, size: 0) }
        #expect(throws: KaizenError.self) { try ImageResize.bilinear(Tensor.zeros([4, 6]), size: 2) }
    }
}
