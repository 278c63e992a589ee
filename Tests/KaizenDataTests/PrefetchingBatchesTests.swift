import Testing
@testable import KaizenData

@Suite struct PrefetchingBatchesTests {
    @Test func yieldsEveryBatchInOrder() throws {
        let batches = try PrefetchingBatches(count: 10, batchSize: 4) { range in Array(range) }
        var seen: [[Int]] = []
        while let b = try batches.next() { seen.append(b) }
        #expect(seen == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
        #expect(batches.batchCount == 3)
        #expect(try batches.next() == nil)
    }

    @Test func transformsLabeledImagesAndPropagatesErrors() throws {
        let images = try Tensor(shape: [5, 1, 2, 2], values: (0..<20).map(Float.init))
        let data = try LabeledImages(images: images, labels: [0, 1, 0, 1, 1], classNames: ["a", "b"])
        let batches = try PrefetchingBatches(data, batchSize: 2) { try ImageTransforms.greyToChannels($0) }
        var labels: [Int] = [], firstValues: [Float] = []
        while let b = try batches.next() {
            #expect(b.images.shape == [b.range.count, 3, 2, 2])
            labels += b.labels; firstValues.append(b.images.scalars[0])
        }
        #expect(labels == data.labels && firstValues == [0, 8, 16])

        let failing = try PrefetchingBatches(count: 4, batchSize: 2) { range -> Int in
            if range.lowerBound == 2 { throw KaizenError.invalidArgument(name: "batch", detail: "boom") }
            return range.lowerBound
        }
        #expect(try failing.next() == 0)
        #expect(throws: KaizenError.self) { try failing.next() }
    }
}
