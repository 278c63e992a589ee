import Foundation

/// A text file with one example per line (`--text FILE`).
public enum TextLines {
    /// The lines of a file, CRLF or LF; a final empty line is ignored. Throws when the file holds
    /// no examples (empty, or only empty lines).
    public static func read(_ url: URL, encoding: TextEncoding = .auto) throws(KaizenError) -> [String] {
        let lines = TextDecoder.lines(try TextDecoder.read(url, encoding: encoding))
        guard lines.contains(where: { !$0.isEmpty }) else {
            throw KaizenError.io(file: url.path, location: nil,
                                 reason: "no examples: the file is empty (expected one text per line)")
        }
        return lines
    }
}
