import Foundation

/// The TREC question classification data (Li & Roth): lines `COARSE:fine question text`,
/// 6 coarse and 50 fine classes. The training file is Latin-1, the test file ASCII.
public enum TREC {
    /// The 5,452 training questions or the 500 TREC-10 test questions.
    public enum Split: String, Sendable, CaseIterable {
        case train, test

        /// The file name of the split in the distribution.
        public var fileName: String { self == .train ? "train_5500.label" : "TREC_10.label" }
    }

    /// Questions with their labels, in file order.
    public struct Dataset: Sendable {
        public let questions: [String]
        /// Coarse labels (`NUM`, `LOC`, ...).
        public let coarseLabels: [String]
        /// Fine labels written `COARSE:fine` (`NUM:dist`).
        public let fineLabels: [String]
    }

    /// Loads `train_5500.label` or `TREC_10.label` from a directory (decoded as Latin-1, a superset
    /// of the ASCII test file).
    public static func load(directory: URL, split: Split) throws(KaizenError) -> Dataset {
        let url = directory.appendingPathComponent(split.fileName)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw KaizenError.io(file: url.path, location: nil, reason: "TREC \(split.rawValue) file not found")
        }
        return try parse(TextDecoder.read(url, encoding: .latin1), file: url.path)
    }

    /// Parses the lines of a TREC file; the question is everything after the first space.
    public static func parse(_ text: String, file: String) throws(KaizenError) -> Dataset {
        var questions: [String] = [], coarse: [String] = [], fine: [String] = []
        for (i, line) in TextDecoder.lines(text).enumerated() where !line.isEmpty {
            guard let space = line.firstIndex(of: " "),
                  let colon = line[..<space].firstIndex(of: ":"),
                  colon > line.startIndex, line.index(after: colon) < space else {
                throw KaizenError.io(file: file, location: "line \(i + 1)",
                                     reason: "expected 'COARSE:fine question text', found '\(line.prefix(60))'")
            }
            fine.append(String(line[..<space]))
            coarse.append(String(line[..<colon]))
            questions.append(String(line[line.index(after: space)...]))
        }
        guard !questions.isEmpty else {
            throw KaizenError.io(file: file, location: nil, reason: "no examples: the file holds no questions")
        }
        return Dataset(questions: questions, coarseLabels: coarse, fineLabels: fine)
    }
}
