import Foundation
import Kaizen

/// Train/test features and labels as `knn` and `probe` take them: `.npy` matrices and label files
/// compared as strings, classes numbered by first appearance in the training labels (a test label
/// never seen in training gets -1 and always counts as an error).
struct LabeledFeatures {
    let train: Tensor
    let trainLabels: [Int]
    let test: Tensor
    let testLabels: [Int]
    let classes: [String]

    static func load(train: String, trainLabels: String, test: String, testLabels: String) throws -> LabeledFeatures {
        let xtr = try matrix(train, option: "--train"), xte = try matrix(test, option: "--test")
        guard xtr.shape[1] == xte.shape[1] else {
            throw KaizenError.shapeMismatch(op: "--train/--test", detail: "\(train) has \(xtr.shape[1]) features per row, \(test) has \(xte.shape[1])")
        }
        let ltr = try LabelFile.read(URL(fileURLWithPath: trainLabels))
        let lte = try LabelFile.read(URL(fileURLWithPath: testLabels))
        guard ltr.count == xtr.shape[0] else {
            throw KaizenError.shapeMismatch(op: "--train-labels", detail: "\(trainLabels) has \(ltr.count) labels for \(xtr.shape[0]) rows of \(train)")
        }
        guard lte.count == xte.shape[0] else {
            throw KaizenError.shapeMismatch(op: "--test-labels", detail: "\(testLabels) has \(lte.count) labels for \(xte.shape[0]) rows of \(test)")
        }
        let (set, encodedTrain) = LabelSet.encode(trainLabels: ltr)
        return LabeledFeatures(train: xtr, trainLabels: encodedTrain, test: xte, testLabels: set.encode(lte), classes: set.classes)
    }

    static func matrix(_ path: String, option: String) throws -> Tensor {
        let x = try NPY.read(URL(fileURLWithPath: path)).floatTensor()
        guard x.rank == 2, x.shape[0] > 0 else {
            throw KaizenError.shapeMismatch(op: option, detail: "\(path) must hold a non-empty [N, d] matrix, got \(Shape.describe(x.shape))")
        }
        return x
    }
}
