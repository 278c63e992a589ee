import Foundation
import Kaizen

/// Labelled texts as `finetune` and `eval` take them: a UTF-8 file with one example per line
/// (`--text`) or a column of a CSV/TSV file with a header (`--csv` with `--text-column`), and a label
/// file with one label per line, in the same order.
struct LabeledTextInputs {
    let texts: [String]
    /// Labels as strings (compared as strings against a model's classes).
    let labels: [String]

    static func load(text: String?, csv: String?, textColumn: String?, labels: String?) throws -> LabeledTextInputs {
        guard let labels else { throw KaizenError.invalidArgument(name: "--labels", detail: "text inputs need --labels FILE (one label per line)") }
        let texts: [String], source: String
        if let text {
            texts = try TextLines.read(URL(fileURLWithPath: text))
            source = text
        } else if let csv {
            guard let textColumn else { throw KaizenError.invalidArgument(name: "--text-column", detail: "--csv needs --text-column NAME") }
            texts = try DelimitedTable.read(URL(fileURLWithPath: csv)).column(named: textColumn)
            source = csv
        } else {
            throw KaizenError.invalidArgument(name: "--text", detail: "give --text FILE or --csv FILE --text-column NAME")
        }
        let names = try LabelFile.read(URL(fileURLWithPath: labels))
        guard names.count == texts.count else {
            throw KaizenError.shapeMismatch(op: "--labels", detail: "\(labels) has \(names.count) labels for \(texts.count) texts in \(source)")
        }
        return LabeledTextInputs(texts: texts, labels: names)
    }
}
