import Foundation
import Testing
@testable import KaizenData

@Suite struct CorruptionTests {
    /// Four 2-channel 28 x 28 images: a bright off-centre rectangle and a diagonal stripe on a
    /// mid-grey ramp, so every corruption (including clamped ones) has room to act.
    static let images: Tensor = {
        let (n, c, h, w) = (4, 2, 28, 28)
        var v = [Float](repeating: 0, count: n * c * h * w)
        for i in 0..<n {
            for ch in 0..<c {
                for y in 0..<h {
                    for x in 0..<w {
                        var value = 0.2 + 0.3 * Float(x + i) / Float(w)
                        if (6 + i)..<(14 + i) ~= y && 4..<(20 - ch) ~= x { value = 0.85 }
                        if abs(x - y - i) <= 1 { value = 0.05 }
                        v[((i * c + ch) * h + y) * w + x] = value
                    }
                }
            }
        }
        return try! Tensor(shape: [n, c, h, w], values: v)
    }()

    static func meanAbsDifference(_ a: Tensor, _ b: Tensor) -> Double {
        zip(a.scalars, b.scalars).reduce(0.0) { $0 + Double(abs($1.0 - $1.1)) } / Double(a.count)
    }

    @Test(arguments: Corruption.allCases)
    func severityOrderingDeterminismAndRange(_ corruption: Corruption) throws {
        let x = Self.images
        let mild = try corruption.apply(x, severity: 1, seed: 42)
        let strong = try corruption.apply(x, severity: 3, seed: 42)
        let again = try corruption.apply(x, severity: 3, seed: 42)
        #expect(mild.shape == x.shape)
        let d1 = Self.meanAbsDifference(mild, x), d3 = Self.meanAbsDifference(strong, x)
        #expect(d1 > 1e-3, "\(corruption.rawValue) severity 1 barely changes the image (\(d1))")
        #expect(d3 > d1, "\(corruption.rawValue): severity 3 (\(d3)) should change more than 1 (\(d1))")
        #expect(strong.scalars == again.scalars)
        #expect(strong.scalars.allSatisfy { $0 >= 0 && $0 <= 1 } && mild.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(x.scalars == Self.images.scalars)  // input untouched
    }

    @Test func seedsMatterForRandomCorruptionsAndSeverityIsChecked() throws {
        let x = Self.images
        for c in [Corruption.gaussianNoise, .shotNoise, .impulseNoise, .elasticTransform] {
            #expect(try c.apply(x, severity: 2, seed: 1).scalars != c.apply(x, severity: 2, seed: 2).scalars)
        }
        for bad in [0, 4, -1] {
            #expect(throws: KaizenError.invalidArgument(name: "severity", detail: "contrast: severity must be 1, 2 or 3, got \(bad)")) {
                try Corruption.contrast.apply(x, severity: bad, seed: 0)
            }
        }
        #expect(throws: KaizenError.self) { try Corruption.rotation.apply(Tensor.zeros([28, 28]), severity: 1, seed: 0) }
    }

    @Test func exactFormulasForPointwiseCorruptions() throws {
        let x = try Tensor(shape: [1, 1, 1, 4], values: [0, 0.25, 0.5, 1])
        #expect(try Corruption.inversion.apply(x, severity: 3, seed: 0).scalars == [1, 0.75, 0.5, 0])
        #expect(try Corruption.brightness.apply(x, severity: 1, seed: 0).scalars.map { ($0 * 1000).rounded() } == [100, 350, 600, 1000])
        // contrast 0.2 about the mean 0.4375
        let c = try Corruption.contrast.apply(x, severity: 3, seed: 0).scalars
        for (got, v) in zip(c, [Float(0), 0.25, 0.5, 1]) { #expect(abs(got - ((v - 0.4375) * 0.2 + 0.4375)) < 1e-6) }
        // Rotation and shear fix the centre of an odd-sized image; shear leaves the centre row alone.
        let odd = try Tensor(shape: [1, 1, 29, 29], values: (0..<841).map { Float(($0 * 37) % 101) / 100 })
        let centre = 14 * 29 + 14
        #expect(abs(try Corruption.rotation.apply(odd, severity: 2, seed: 3).scalars[centre] - odd.scalars[centre]) < 1e-6)
        let sheared = try Corruption.shear.apply(odd, severity: 3, seed: 3).scalars
        #expect(zip(sheared[(14 * 29)..<(15 * 29)], odd.scalars[(14 * 29)..<(15 * 29)]).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func resultsDoNotDependOnBatchComposition() throws {
        let x = Self.images
        let whole = try Corruption.gaussianNoise.apply(x, severity: 2, seed: 9).scalars
        let first = try Corruption.gaussianNoise.apply(x.narrowed(axis: 0, start: 0, length: 1), severity: 2, seed: 9).scalars
        #expect(Array(whole[0..<first.count]) == first)
    }
}
