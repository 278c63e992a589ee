import Foundation
import KaizenData

/// The WordPiece tokenizer of uncased BERT models (MiniLM): basic tokenisation as HuggingFace's
/// `BertTokenizerFast`, then greedy longest-match-first sub-words with `##` continuations.
/// Ids are line numbers (0-based) in `vocab.txt`.
public struct WordPieceTokenizer: Sendable {
    /// Token strings by id.
    public let tokens: [String]
    public let unknownID: Int
    public let classifierID: Int
    public let separatorID: Int
    public let paddingID: Int
    /// Words longer than this many characters become `[UNK]` without being split.
    public let maxCharactersPerWord = 100

    private let ids: [String: Int]
    /// Special tokens recognised verbatim in input text (`[CLS]`, `[SEP]`, `[MASK]`, ...), as the
    /// HuggingFace tokenizer does for its added tokens.
    private let specialTokens: [(text: String, id: Int)]
    /// Entries for the start of a word, and continuations (`##` removed).
    private let wordStarts: VocabularyTrie
    private let continuations: VocabularyTrie

    /// Reads `vocab.txt` (one token per line). A missing or empty file is reported with the
    /// install command; a vocabulary without `[UNK]`, `[CLS]`, `[SEP]` and `[PAD]` is an error.
    public init(vocabURL: URL) throws(KaizenError) {
        guard FileManager.default.fileExists(atPath: vocabURL.path) else {
            throw KaizenError.missingAsset(name: "WordPiece vocabulary \(vocabURL.path)", hint: "bash scripts/install-deps.sh")
        }
        let lines = TextDecoder.lines(try TextDecoder.read(vocabURL, encoding: .utf8))
        guard !lines.isEmpty else {
            throw KaizenError.io(file: vocabURL.path, location: nil,
                                 reason: "the vocabulary is empty; reinstall the model with `bash scripts/install-deps.sh`")
        }
        try self.init(tokens: lines, source: vocabURL.path)
    }

    /// A tokenizer over the given vocabulary (id = position); `source` names it in errors.
    public init(tokens: [String], source: String = "vocabulary") throws(KaizenError) {
        var ids: [String: Int] = [:]
        ids.reserveCapacity(tokens.count)
        for (i, token) in tokens.enumerated() { ids[token] = i }   // a repeated token keeps its last id, as HuggingFace
        let required = ["[UNK]", "[CLS]", "[SEP]", "[PAD]"]
        let missing = required.filter { ids[$0] == nil }
        guard missing.isEmpty, let unk = ids["[UNK]"], let cls = ids["[CLS]"], let sep = ids["[SEP]"], let pad = ids["[PAD]"] else {
            throw KaizenError.io(file: source, location: nil,
                                 reason: "not a BERT WordPiece vocabulary: missing \(missing.joined(separator: ", "))")
        }
        self.tokens = tokens
        self.ids = ids
        unknownID = unk; classifierID = cls; separatorID = sep; paddingID = pad
        specialTokens = (required + ["[MASK]"]).compactMap { t in ids[t].map { (t, $0) } }
        let entries = tokens.enumerated().map { (bytes: Array($0.element.utf8), id: $0.offset) }
        wordStarts = VocabularyTrie(entries: entries)
        continuations = VocabularyTrie(entries: entries.filter { $0.bytes.starts(with: [0x23, 0x23]) }
            .map { (Array($0.bytes.dropFirst(2)), $0.id) })
    }

    /// The id of a token string, if it is in the vocabulary.
    public func id(of token: String) -> Int? { ids[token] }

    /// The word-piece ids of a text, without `[CLS]`/`[SEP]` and without truncation.
    public func tokenIDs(_ text: String) -> [Int] {
        var out: [Int] = []
        var rest = Substring(text)
        // Special tokens are matched verbatim (case-sensitive) before any normalisation.
        while let (range, id) = firstSpecialToken(in: rest) {
            appendWordPieces(of: rest[..<range.lowerBound], to: &out)
            out.append(id)
            rest = rest[range.upperBound...]
        }
        appendWordPieces(of: rest, to: &out)
        return out
    }

    /// The token strings of a text (for inspection and tests).
    public func tokenize(_ text: String) -> [String] { tokenIDs(text).map { tokens[$0] } }

    /// `[CLS]` + word pieces + `[SEP]`, the word pieces truncated so the total is at most `maxLength`.
    public func encode(_ text: String, maxLength: Int = 256) throws(KaizenError) -> [Int] {
        guard maxLength >= 2 else {
            throw KaizenError.invalidArgument(name: "maxLength", detail: "\(maxLength); it must be at least 2 ([CLS] and [SEP])")
        }
        let pieces = tokenIDs(text)
        return [classifierID] + pieces.prefix(maxLength - 2) + [separatorID]
    }

    /// Encodes texts and pads them with `[PAD]` to the longest; `mask` is true on real tokens.
    public func encodeBatch(_ texts: [String], maxLength: Int = 256) throws(KaizenError) -> (ids: [[Int]], mask: [[Bool]]) {
        var encoded: [[Int]] = []
        encoded.reserveCapacity(texts.count)
        for text in texts { encoded.append(try encode(text, maxLength: maxLength)) }
        let longest = encoded.reduce(0) { Swift.max($0, $1.count) }
        let mask = encoded.map { Array(repeating: true, count: $0.count) + Array(repeating: false, count: longest - $0.count) }
        let ids = encoded.map { $0 + Array(repeating: paddingID, count: longest - $0.count) }
        return (ids, mask)
    }

    private func firstSpecialToken(in text: Substring) -> (Range<Substring.Index>, Int)? {
        guard text.utf8.contains(UInt8(ascii: "[")) else { return nil }
        var best: (Range<Substring.Index>, Int)?
        for (token, id) in specialTokens {
            if let r = text.range(of: token), best.map({ r.lowerBound < $0.0.lowerBound }) ?? true { best = (r, id) }
        }
        return best
    }

    private func appendWordPieces(of text: Substring, to out: inout [Int]) {
        let words = BertPreTokenizer.words(text)
        words.utf8.withUnsafeBufferPointer { utf8 in
            for (range, characters) in words.ranges {
                appendWordPieces(word: UnsafeBufferPointer(rebasing: utf8[range]), characters: characters, to: &out)
            }
        }
    }

    /// Greedy longest-match-first; a word with any unmatched remainder is a single `[UNK]`.
    private func appendWordPieces(word: UnsafeBufferPointer<UInt8>, characters: Int, to out: inout [Int]) {
        guard characters <= maxCharactersPerWord else { out.append(unknownID); return }
        let mark = out.count
        var start = 0
        while start < word.count {
            let trie = start == 0 ? wordStarts : continuations
            guard let (end, id) = trie.longestMatch(word, from: start) else {
                out.removeSubrange(mark...)
                out.append(unknownID)
                return
            }
            out.append(id)
            start = end
        }
    }
}
