import Foundation

/// BERT's basic tokenisation for uncased models, as the HuggingFace fast tokenizer
/// (`BertNormalizer` + `BertPreTokenizer`) does it: remove NUL, U+FFFD and control, format and
/// private-use characters, map whitespace to spaces, isolate CJK ideographs, strip accents (NFD, then drop
/// non-spacing marks), lower-case scalar by scalar, then split at whitespace and around punctuation.
enum BertPreTokenizer {
    /// Words of a text as UTF-8 in one buffer: each word's byte range and its length in characters.
    struct Words {
        var utf8: [UInt8] = []
        var ranges: [(bytes: Range<Int>, characters: Int)] = []
    }

    /// The words of a text.
    static func words(_ text: Substring) -> Words {
        split(normalize(text))
    }

    static func normalize(_ text: Substring) -> [Unicode.Scalar] {
        var cleaned = String.UnicodeScalarView()
        var ascii = true
        for s in text.unicodeScalars {
            let v = s.value
            if v < 0x80 {
                // ASCII: controls other than \t \n \r are dropped; \t \n \r become spaces.
                if v == 0x09 || v == 0x0A || v == 0x0D { cleaned.append(" ") } else if v >= 0x20 && v != 0x7F { cleaned.append(s) }
                continue
            }
            ascii = false
            if v == 0xFFFD || isOther(s) { continue }
            if s.properties.isWhitespace {
                cleaned.append(" ")
            } else if isCJKIdeograph(v) {
                cleaned.append(" "); cleaned.append(s); cleaned.append(" ")
            } else {
                cleaned.append(s)
            }
        }
        var scalars: [Unicode.Scalar] = []
        if ascii {
            scalars.reserveCapacity(cleaned.count)
            for s in cleaned {
                let v = s.value
                scalars.append(v >= 0x41 && v <= 0x5A ? Unicode.Scalar(UInt8(v + 32)) : s)
            }
            return scalars
        }
        let decomposed = String(cleaned).decomposedStringWithCanonicalMapping
        for s in decomposed.unicodeScalars where !isNonspacingMark(s) {
            if s.value < 0x80 {
                let v = s.value
                scalars.append(v >= 0x41 && v <= 0x5A ? Unicode.Scalar(UInt8(v + 32)) : s)
            } else if s.properties.changesWhenLowercased {
                scalars.append(contentsOf: s.properties.lowercaseMapping.unicodeScalars)
            } else {
                scalars.append(s)
            }
        }
        return scalars
    }

    /// Splits normalised scalars at whitespace; each punctuation character is a word of its own.
    static func split(_ scalars: [Unicode.Scalar]) -> Words {
        var words = Words()
        words.utf8.reserveCapacity(scalars.count)
        var start = 0, characters = 0
        func finishWord(_ words: inout Words) {
            if characters > 0 { words.ranges.append((start..<words.utf8.count, characters)) }
            start = words.utf8.count
            characters = 0
        }
        for s in scalars {
            if isWhitespace(s) {
                finishWord(&words)
            } else if isPunctuation(s) {
                finishWord(&words)
                append(s, to: &words.utf8)
                characters = 1
                finishWord(&words)
            } else {
                append(s, to: &words.utf8)
                characters += 1
            }
        }
        finishWord(&words)
        return words
    }

    @inline(__always)
    static func append(_ s: Unicode.Scalar, to bytes: inout [UInt8]) {
        let v = s.value
        switch v {
        case ..<0x80:
            bytes.append(UInt8(v))
        case ..<0x800:
            bytes.append(UInt8(0xC0 | v >> 6)); bytes.append(UInt8(0x80 | v & 0x3F))
        case ..<0x10000:
            bytes.append(UInt8(0xE0 | v >> 12)); bytes.append(UInt8(0x80 | v >> 6 & 0x3F)); bytes.append(UInt8(0x80 | v & 0x3F))
        default:
            bytes.append(UInt8(0xF0 | v >> 18)); bytes.append(UInt8(0x80 | v >> 12 & 0x3F))
            bytes.append(UInt8(0x80 | v >> 6 & 0x3F)); bytes.append(UInt8(0x80 | v & 0x3F))
        }
    }

    // The HuggingFace fast tokenizer takes the "other", punctuation and non-spacing-mark categories
    // from Unicode 8.0 tables (the Rust `unicode_categories` crate): characters assigned later are
    // none of these, and a few characters have changed category since. Measured against
    // tokenizers 0.19.1 over every code point (Tests/KaizenModelsTests/Fixtures/wordpiece_edge_cases.py).

    /// Whether a scalar was assigned by Unicode 8.0.
    static func inUnicode8(_ s: Unicode.Scalar) -> Bool {
        guard let age = s.properties.age else { return false }
        return age.major < 8 || (age.major == 8 && age.minor == 0)
    }

    /// Control, format, surrogate and private-use characters of Unicode 8.0. Unassigned code
    /// points (Cn) are kept (they end up as `[UNK]`).
    static func isOther(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse: return inUnicode8(s)
        default: return false
        }
    }

    /// Non-spacing marks (Mn) of Unicode 8.0, dropped after NFD to strip accents.
    static func isNonspacingMark(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x300 { return false }
        switch v {
        case 0x1734, 0x1171E: return true                            // Mn in 8.0, Mc now
        case 0x1885, 0x1886, 0xA9BD, 0x111C9: return false            // Lo, Mc, Po in 8.0
        default: return s.properties.generalCategory == .nonspacingMark && inUnicode8(s)
        }
    }

    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 { return v == 0x20 || (v >= 0x09 && v <= 0x0D) }
        return s.properties.isWhitespace
    }

    /// ASCII symbols count as punctuation (`$`, `+`, `^`, `` ` ``...) besides the Unicode 8.0 P* categories.
    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 { return (v >= 33 && v <= 47) || (v >= 58 && v <= 64) || (v >= 91 && v <= 96) || (v >= 123 && v <= 126) }
        if v == 0x166D || v == 0x111C9 { return true }                 // Po in 8.0
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return inUnicode8(s)
        default:
            return false
        }
    }

    /// The CJK Unified Ideographs blocks (not Hangul, Hiragana or Katakana) with the ranges of the
    /// HuggingFace fast tokenizer (it skips U+2B820-U+2B91F, unlike the Python `BertTokenizer`).
    static func isCJKIdeograph(_ v: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2A6DF).contains(v)
            || (0x2A700...0x2B73F).contains(v) || (0x2B740...0x2B81F).contains(v) || (0x2B920...0x2CEAF).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0x2F800...0x2FA1F).contains(v)
    }
}
