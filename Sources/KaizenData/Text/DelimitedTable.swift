import Foundation

/// A CSV or TSV file with a header row (RFC 4180 quoting: fields in double quotes may hold the
/// delimiter, newlines and doubled quotes). Every row must have as many fields as the header.
public struct DelimitedTable: Sendable {
    /// Header names, in file order.
    public let columns: [String]
    /// Data rows (blank lines skipped), each with `columns.count` fields.
    public let rows: [[String]]
    /// The 1-based line on which each row starts.
    public let rowLines: [Int]
    /// The file the table came from (for error messages).
    public let file: String

    /// Reads a file; the delimiter defaults to a tab for `.tsv` files and a comma otherwise.
    public static func read(_ url: URL, delimiter: Character? = nil,
                            encoding: TextEncoding = .auto) throws(KaizenError) -> DelimitedTable {
        let chosen = delimiter ?? (url.pathExtension.lowercased() == "tsv" ? "\t" : ",")
        return try parse(TextDecoder.read(url, encoding: encoding), delimiter: chosen, file: url.path)
    }

    /// Parses decoded text; `file` names the source in errors.
    public static func parse(_ text: String, delimiter: Character, file: String) throws(KaizenError) -> DelimitedTable {
        guard let d = delimiter.asciiValue, d != 0x22, d != 0x0A, d != 0x0D else {
            throw KaizenError.invalidArgument(name: "delimiter", detail: "'\(delimiter)' must be one ASCII character other than a quote or newline")
        }
        let records = try DelimitedParser(bytes: Array(text.utf8), delimiter: d, file: file).records()
        guard let header = records.first else {
            throw KaizenError.io(file: file, location: nil, reason: "no examples: the file is empty (expected a header row)")
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        var rows: [[String]] = [], lines: [Int] = []
        rows.reserveCapacity(records.count - 1)
        for record in records.dropFirst() {
            guard record.fields.count == names.count else {
                throw KaizenError.io(file: file, location: "line \(record.line)",
                                     reason: "\(record.fields.count) fields where the header has \(names.count) (a field holding the delimiter '\(delimiter)' must be in double quotes)")
            }
            rows.append(record.fields)
            lines.append(record.line)
        }
        guard !rows.isEmpty else {
            throw KaizenError.io(file: file, location: nil, reason: "no examples: the file has a header but no rows")
        }
        return DelimitedTable(columns: names, rows: rows, rowLines: lines, file: file)
    }

    /// The values of a column; an unknown name is an error that lists the available columns.
    public func column(named name: String) throws(KaizenError) -> [String] {
        guard let i = columns.firstIndex(of: name) else {
            let available = columns.map { "'\($0)'" }.joined(separator: ", ")
            throw KaizenError.io(file: file, location: "header", reason: "no column named '\(name)'; available columns: \(available)")
        }
        return rows.map { $0[i] }
    }

    /// Texts from `textColumn` and, when given, labels from `labelColumn` (trimmed of spaces).
    public func examples(textColumn: String, labelColumn: String? = nil) throws(KaizenError) -> TextExamples {
        let texts = try column(named: textColumn)
        guard let labelColumn else { return TextExamples(texts: texts, labels: nil) }
        let labels = try column(named: labelColumn).map { $0.trimmingCharacters(in: .whitespaces) }
        if let empty = labels.firstIndex(of: "") {
            throw KaizenError.io(file: file, location: "line \(rowLines[empty])", reason: "empty label in column '\(labelColumn)'")
        }
        return TextExamples(texts: texts, labels: labels)
    }
}

/// Texts with optional string labels, one per example.
public struct TextExamples: Sendable, Equatable {
    public let texts: [String]
    public let labels: [String]?

    public init(texts: [String], labels: [String]?) {
        self.texts = texts
        self.labels = labels
    }
}

/// Byte-level RFC 4180 reader over UTF-8 text (the delimiter, quote and newlines are ASCII, so
/// they never occur inside a multi-byte character).
struct DelimitedParser {
    struct Record { var fields: [String]; var line: Int }

    let bytes: [UInt8]
    let delimiter: UInt8
    let file: String

    func records() throws(KaizenError) -> [Record] {
        let quote: UInt8 = 0x22, lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1, recordLine = 1, i = 0
        var quoted = false   // a record of one quoted empty field is not a blank line
        let n = bytes.count
        func isLineEnd(_ k: Int) -> Bool { bytes[k] == lf || (bytes[k] == cr && k + 1 < n && bytes[k + 1] == lf) }

        while i < n {
            // Start of a field.
            if bytes[i] == quote {
                quoted = true
                let openLine = line
                i += 1
                var closed = false
                while i < n {
                    let b = bytes[i]
                    if b == quote {
                        if i + 1 < n && bytes[i + 1] == quote { field.append(quote); i += 2; continue }
                        closed = true; i += 1; break
                    }
                    if b == lf { line += 1 }
                    field.append(b); i += 1
                }
                guard closed else {
                    throw KaizenError.io(file: file, location: "line \(openLine)", reason: "a quoted field is never closed (missing '\"')")
                }
                if i < n && bytes[i] != delimiter && !isLineEnd(i) {
                    throw KaizenError.io(file: file, location: "line \(line)",
                                         reason: "unexpected character after a closing quote (a quote inside a quoted field is written twice: \"\")")
                }
            } else {
                while i < n && bytes[i] != delimiter && !isLineEnd(i) { field.append(bytes[i]); i += 1 }
            }
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            // End of field: delimiter, end of record or end of input.
            if i < n && bytes[i] == delimiter {
                i += 1
                if i == n { fields.append("") }
                continue
            }
            if i < n { i += bytes[i] == cr ? 2 : 1 }
            if quoted || !(fields.count == 1 && fields[0].isEmpty) {   // blank lines are skipped
                records.append(Record(fields: fields, line: recordLine))
            }
            fields.removeAll(keepingCapacity: true)
            quoted = false
            line += 1
            recordLine = line
        }
        if !fields.isEmpty { records.append(Record(fields: fields, line: recordLine)) }   // "a,b," at the end
        return records
    }
}
