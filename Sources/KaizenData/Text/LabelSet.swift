import Foundation

/// The classes of a classification task, numbered in order of first appearance in the training
/// labels. Labels are compared as strings ("1" and "01" are different classes).
public struct LabelSet: Sendable, Equatable, Codable {
    /// Index given to a label that is not one of the classes; it never equals a prediction, so
    /// scoring counts such examples as errors.
    public static let unknown = -1

    /// Class names; a class's index is its position here.
    public let classes: [String]
    private let indexByName: [String: Int]

    /// A label set with the given classes in order; duplicates are an error.
    public init(classes: [String]) throws(KaizenError) {
        var index: [String: Int] = [:]
        for (i, name) in classes.enumerated() {
            if index[name] != nil {
                throw KaizenError.invalidArgument(name: "classes", detail: "class '\(name)' is listed twice")
            }
            index[name] = i
        }
        self.classes = classes
        self.indexByName = index
    }

    public var count: Int { classes.count }

    /// The index of a class, or nil when it is not one of the classes.
    public func index(of label: String) -> Int? { indexByName[label] }

    /// Indices of labels; labels that are not classes map to `LabelSet.unknown`.
    public func encode(_ labels: [String]) -> [Int] { labels.map { indexByName[$0] ?? Self.unknown } }

    /// The classes of training labels in order of first appearance, and each label's index.
    public static func encode(trainLabels: [String]) -> (LabelSet, [Int]) {
        var classes: [String] = []
        var index: [String: Int] = [:]
        let ids = trainLabels.map { label -> Int in
            if let i = index[label] { return i }
            index[label] = classes.count
            classes.append(label)
            return classes.count - 1
        }
        return (LabelSet(uniqueClasses: classes, index: index), ids)
    }

    private init(uniqueClasses: [String], index: [String: Int]) {
        classes = uniqueClasses
        indexByName = index
    }

    public static func == (a: LabelSet, b: LabelSet) -> Bool { a.classes == b.classes }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        try self.init(classes: container.decode([String].self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(classes)
    }
}

/// A labels file: one label per line (integers or strings), surrounding spaces ignored.
public enum LabelFile {
    public static func read(_ url: URL, encoding: TextEncoding = .auto) throws(KaizenError) -> [String] {
        let lines = TextDecoder.lines(try TextDecoder.read(url, encoding: encoding))
        var labels: [String] = []
        labels.reserveCapacity(lines.count)
        for (i, line) in lines.enumerated() {
            let label = line.trimmingCharacters(in: .whitespaces)
            guard !label.isEmpty else {
                throw KaizenError.io(file: url.path, location: "line \(i + 1)", reason: "empty label (expected one label per line)")
            }
            labels.append(label)
        }
        guard !labels.isEmpty else {
            throw KaizenError.io(file: url.path, location: nil, reason: "no labels: the file is empty (expected one label per line)")
        }
        return labels
    }
}
