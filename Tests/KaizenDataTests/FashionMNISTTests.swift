import Foundation
import Testing
@testable import KaizenData

@Suite struct FashionMNISTTests {
    static let installed = FileManager.default.fileExists(
        atPath: FashionMNIST.defaultDirectory.appendingPathComponent("t10k-images-idx3-ubyte.gz").path)

    @Test(.enabled(if: installed)) func loadsTheTestSplit() throws {
        let data = try FashionMNIST.load(split: .test, subset: .first(50))
        #expect(data.images.shape == [50, 1, 28, 28])
        #expect(data.labels.count == 50)
        // The first test image is an ankle boot (label 9); pixels are in [0, 1] and not all zero.
        #expect(data.labels[0] == 9)
        let s = data.images.scalars
        #expect(s.allSatisfy { $0 >= 0 && $0 <= 1 } && s.contains { $0 == 1 } && s.contains { $0 == 0 })
    }

    @Test(.enabled(if: installed)) func stratifiedSubsetIsBalancedAndSeeded() throws {
        let a = try FashionMNIST.load(split: .test, subset: .stratified(103, seed: 5))
        let b = try FashionMNIST.load(split: .test, subset: .stratified(103, seed: 5))
        #expect(a.labels == b.labels && a.images.scalars == b.images.scalars)
        let counts = (0..<10).map { c in a.labels.filter { $0 == c }.count }
        #expect(counts.reduce(0, +) == 103 && counts.max()! - counts.min()! <= 1)
    }

    /// PyTorch 1.13 on the first two test images: x/255, F.interpolate(bilinear, align_corners=False,
    /// antialias=True), repeat to 3 channels, ImageNet normalisation; values at (n, c, y, x) and the sum.
    @Test(.enabled(if: installed), arguments: [
        (224, [-0.07123, 2.43691, -2.03571] as [Float], -149929.427),
        (20, [-0.1864, 2.51683, -2.03571] as [Float], -1180.626),
    ])
    func preparationMatchesPyTorch(size: Int, expected: [Float], expectedSum: Double) throws {
        let data = try FashionMNIST.load(split: .test, subset: .first(2))
        let y = try ImagePreparation.prepare(grey: data.images, size: size)
        let s = y.scalars
        func at(_ n: Int, _ c: Int, _ h: Int, _ w: Int) -> Float { s[((n * 3 + c) * size + h) * size + w] }
        let got = [at(0, 0, size / 2, size / 2), at(1, 2, size / 3, size / 4), at(0, 1, size - 1, 5)]
        for (g, e) in zip(got, expected) { #expect(abs(g - e) < 1e-4, "\(got) vs \(expected)") }
        let sum = s.reduce(0.0) { $0 + Double($1) }
        #expect(abs(sum - expectedSum) < 1e-5 * abs(expectedSum), "sum \(sum)")
    }

    @Test func missingFilesNameTheInstallCommand() throws {
        let dir = URL(fileURLWithPath: "/nonexistent-kaizen-dataset")
        do {
            _ = try FashionMNIST.load(split: .train, directory: dir)
            Issue.record("expected missingAsset")
        } catch let error as KaizenError {
            guard case let .missingAsset(name, hint) = error else { Issue.record("wrong error \(error)"); return }
            #expect(name.contains("/nonexistent-kaizen-dataset") && hint.contains("bash scripts/install-deps.sh"))
        }
    }

    @Test func stratifiedIndicesHandleSmallClasses() throws {
        let labels = [0, 0, 0, 0, 0, 0, 1, 2, 2, 2]
        let idx = try LabeledImages.indices(of: .stratified(7, seed: 1), labels: labels, classCount: 3)
        #expect(idx.count == 7 && Set(idx).count == 7)
        #expect(idx.filter { labels[$0] == 1 }.count == 1)
        #expect(throws: KaizenError.self) { try LabeledImages.indices(of: .stratified(11, seed: 1), labels: labels, classCount: 3) }
    }
}
