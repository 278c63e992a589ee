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
