import Foundation

/// How the bytes of a text file are turned into characters.
/// `auto` accepts UTF-8 (with or without a byte-order mark) and refuses anything else rather than
/// guessing; Latin-1 is only used when the caller declares it.
public enum TextEncoding: String, Sendable, CaseIterable {
    case utf8
    case latin1
    case auto
}

/// Decodes text files with a declared or detected encoding. Undecodable input is reported as
/// `KaizenError.io` naming the file, the 1-based line and the byte column.
public enum TextDecoder {
    /// Reads and decodes a whole file.
    public static func read(_ url: URL, encoding: TextEncoding = .auto) throws(KaizenError) -> String {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw KaizenError.io(file: url.path, location: nil, reason: "cannot read the file (\(error.localizedDescription))")
        }
        return try decode(data, encoding: encoding, file: url.path)
    }

    /// Decodes bytes; `file` only names the source in errors.
    public static func decode(_ data: Data, encoding: TextEncoding, file: String) throws(KaizenError) -> String {
        let result: Result<String, KaizenError> = data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            do throws(KaizenError) {
                return .success(try decode(bytes, encoding: encoding, file: file))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, encoding: TextEncoding, file: String) throws(KaizenError) -> String {
        if encoding == .latin1 { return latin1String(bytes) }
        if bytes.count >= 2, (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF) {
            throw KaizenError.io(file: file, location: "line 1", reason: "the file looks like UTF-16 (byte-order mark); convert it to UTF-8")
        }
        var body = bytes
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            body = UnsafeBufferPointer(rebasing: bytes[3...])
        }
        if let bad = firstInvalidUTF8(body) {
            let declare = encoding == .auto ? "; if the file is Latin-1 (ISO-8859-1), declare that encoding" : ""
            throw KaizenError.io(file: file, location: "line \(bad.line), byte \(bad.column)",
                                 reason: String(format: "invalid UTF-8 (byte 0x%02X)", bad.byte) + declare)
        }
        return String(decoding: body, as: UTF8.self)
    }

    /// Each byte is the code point of the same value.
    static func latin1String(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var extra = 0
        for b in bytes where b >= 0x80 { extra += 1 }
        return String(unsafeUninitializedCapacity: bytes.count + extra) { out in
            var j = 0
            for b in bytes {
                if b < 0x80 {
                    out[j] = b; j += 1
                } else {
                    out[j] = 0xC0 | (b >> 6); out[j + 1] = 0x80 | (b & 0x3F); j += 2
                }
            }
            return j
        }
    }

    /// Position of the first byte that does not start a well-formed UTF-8 sequence
    /// (overlong forms, surrogates and code points above U+10FFFF are rejected).
    static func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int, byte: UInt8)? {
        var i = 0, line = 1, lineStart = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 {
                if b == 0x0A { line += 1; lineStart = i + 1 }
                i += 1
                continue
            }
            var length = 0
            var low: UInt8 = 0x80, high: UInt8 = 0xBF   // allowed range of the second byte
            switch b {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return (line, i - lineStart + 1, b)
            }
            guard i + length <= n else { return (line, i - lineStart + 1, b) }
            let second = bytes[i + 1]
            guard second >= low && second <= high else { return (line, i - lineStart + 1, b) }
            for k in 2..<length where bytes[i + k] & 0xC0 != 0x80 {
                return (line, i - lineStart + 1, b)
            }
            i += length
        }
        return nil
    }

    /// Splits text into lines at LF or CRLF (a lone CR is kept as a character).
    /// A final empty line (text ending with a newline) is not returned.
    public static func lines(_ text: String) -> [String] {
        var lines: [String] = []
        let utf8 = Array(text.utf8)
        utf8.withUnsafeBufferPointer { buf in
            var start = 0
            let n = buf.count
            for i in 0..<n where buf[i] == 0x0A {
                let end = i > start && buf[i - 1] == 0x0D ? i - 1 : i
                lines.append(String(decoding: UnsafeBufferPointer(rebasing: buf[start..<end]), as: UTF8.self))
                start = i + 1
            }
            if start < n {
                lines.append(String(decoding: UnsafeBufferPointer(rebasing: buf[start..<n]), as: UTF8.self))
            }
        }
        return lines
    }
}
