import Foundation
import Testing
@testable import KaizenData

/// Writes bytes to a fresh temporary file with the given extension.
func temporaryFile(_ bytes: [UInt8], ext: String = "txt") throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("kaizen-text-\(UUID().uuidString).\(ext)")
    try Data(bytes).write(to: url)
    return url
}

func temporaryFile(_ text: String, ext: String = "txt") throws -> URL { try temporaryFile(Array(text.utf8), ext: ext) }

/// The message of the KaizenError thrown by `body`, or nil when it does not throw.
func errorMessage(_ body: () throws -> Void) -> String? {
    do { try body() } catch { return "\(error)" }
    return nil
}

@Suite struct TextDecodingTests {
    @Test func utf8WithBOMAndCRLF() throws {
        let url = try temporaryFile([0xEF, 0xBB, 0xBF] + Array("caf\u{E9} one\r\ntwo\r\n\r\nfour\n".utf8))
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try TextLines.read(url) == ["caf\u{E9} one", "two", "", "four"])
        #expect(try TextLines.read(url, encoding: .utf8) == ["caf\u{E9} one", "two", "", "four"])
    }

    @Test func invalidUTF8NamesFileLineAndByte() throws {
        // Line 3, byte 5 is a lone Latin-1 0xE9.
        let url = try temporaryFile(Array("ok\nfine \u{E9}\nbad ".utf8) + [0xE9] + Array(" here\n".utf8))
        defer { try? FileManager.default.removeItem(at: url) }
        let message = try #require(errorMessage { _ = try TextLines.read(url) })
        #expect(message.contains(url.path))
        #expect(message.contains("line 3, byte 5"))
        #expect(message.contains("0xE9"))
        #expect(message.contains("Latin-1"))
        // Declared Latin-1 decodes the same bytes.
        #expect(try TextLines.read(url, encoding: .latin1)[2] == "bad \u{E9} here")
        // Declared UTF-8 fails too.
        #expect(errorMessage { _ = try TextLines.read(url, encoding: .utf8) }?.contains("line 3") == true)
    }

    @Test func rejectsMalformedSequences() {
        let cases: [[UInt8]] = [
            [0xC0, 0xAF],             // overlong '/'
            [0xE0, 0x80, 0xAF],       // overlong
            [0xED, 0xA0, 0x80],       // surrogate U+D800
            [0xF4, 0x90, 0x80, 0x80], // above U+10FFFF
            [0xE2, 0x82],             // truncated at end of input
            [0xE2, 0x28, 0xA1],       // bad continuation
            [0x80],                   // lone continuation
        ]
        for bytes in cases {
            let found = bytes.withUnsafeBufferPointer { TextDecoder.firstInvalidUTF8($0) }
            #expect(found?.column == 1, "\(bytes)")
        }
        let good = Array("a\u{E9}\u{20AC}\u{1F642}\u{10FFFF}".utf8)
        #expect(good.withUnsafeBufferPointer { TextDecoder.firstInvalidUTF8($0) } == nil)
    }

    @Test func latin1MapsEveryByte() throws {
        let bytes = (0...255).map(UInt8.init)
        let text = try TextDecoder.decode(Data(bytes), encoding: .latin1, file: "x")
        #expect(text.unicodeScalars.map(\.value) == (0...255).map(UInt32.init))
    }

    @Test func utf16IsRefused() throws {
        let message = errorMessage { _ = try TextDecoder.decode(Data([0xFF, 0xFE, 0x41, 0x00]), encoding: .auto, file: "u16.txt") }
        #expect(message?.contains("UTF-16") == true)
    }

    @Test func emptyFilesHaveNoExamples() throws {
        for bytes: [UInt8] in [[], [0xEF, 0xBB, 0xBF], Array("\n".utf8), Array("\r\n\n".utf8)] {
            let url = try temporaryFile(bytes)
            defer { try? FileManager.default.removeItem(at: url) }
            let message = errorMessage { _ = try TextLines.read(url) }
            #expect(message?.contains("no examples") == true)
            #expect(message?.contains(url.path) == true)
        }
        let missing = URL(fileURLWithPath: "/nonexistent/kaizen/none.txt")
        #expect(errorMessage { _ = try TextLines.read(missing) }?.contains("/nonexistent/kaizen/none.txt") == true)
    }

    @Test func finalLineWithoutNewline() throws {
        let url = try temporaryFile("a\nb")
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try TextLines.read(url) == ["a", "b"])
    }
}

@Suite struct DelimitedTableTests {
    @Test func quotedFieldsRFC4180() throws {
        let csv = "id,text,label\r\n1,\"Hello, world\",pos\r\n2,\"She said \"\"hi\"\"\",neg\r\n3,\"two\nlines\",pos\n\n4,plain,neg\n5,\"\",neg"
        let table = try DelimitedTable.parse(csv, delimiter: ",", file: "t.csv")
        #expect(table.columns == ["id", "text", "label"])
        #expect(table.rows.count == 5)
        let examples = try table.examples(textColumn: "text", labelColumn: "label")
        #expect(examples.texts == ["Hello, world", "She said \"hi\"", "two\nlines", "plain", ""])
        #expect(examples.labels == ["pos", "neg", "pos", "neg", "neg"])
        #expect(table.rowLines == [2, 3, 4, 7, 8])
    }

    @Test func wrongFieldCountNamesLine() {
        let csv = "text,label\n\"a\nb\",x\nc,d,e\n"
        let message = errorMessage { _ = try DelimitedTable.parse(csv, delimiter: ",", file: "bad.csv") }
        #expect(message?.contains("bad.csv") == true)
        #expect(message?.contains("line 4") == true)
        #expect(message?.contains("3 fields where the header has 2") == true)
    }

    @Test func unclosedQuoteAndStrayQuote() {
        let open = errorMessage { _ = try DelimitedTable.parse("a,b\n1,\"never closed\n", delimiter: ",", file: "q.csv") }
        #expect(open?.contains("line 2") == true && open?.contains("never closed") == true)
        let stray = errorMessage { _ = try DelimitedTable.parse("a,b\n1,\"x\"y\n", delimiter: ",", file: "q.csv") }
        #expect(stray?.contains("after a closing quote") == true)
    }

    @Test func missingColumnListsColumns() throws {
        let table = try DelimitedTable.parse("sentence,category\nhi,a\n", delimiter: ",", file: "c.csv")
        let message = try #require(errorMessage { _ = try table.examples(textColumn: "text") })
        #expect(message.contains("'text'"))
        #expect(message.contains("available columns: 'sentence', 'category'"))
        let labels = errorMessage { _ = try table.examples(textColumn: "sentence", labelColumn: "label") }
        #expect(labels?.contains("'sentence', 'category'") == true)
    }

    @Test func tsvByExtensionAndDeclaredDelimiter() throws {
        let tsv = try temporaryFile("text\tlabel\nfoo, bar\t1\n\"tab\there\"\t2\n", ext: "tsv")
        defer { try? FileManager.default.removeItem(at: tsv) }
        let examples = try DelimitedTable.read(tsv).examples(textColumn: "text", labelColumn: "label")
        #expect(examples.texts == ["foo, bar", "tab\there"])
        #expect(examples.labels == ["1", "2"])
        let semi = try DelimitedTable.parse("t;l\na,b;c\n", delimiter: ";", file: "s.csv")
        #expect(semi.rows == [["a,b", "c"]])
        #expect(errorMessage { _ = try DelimitedTable.parse("a\n", delimiter: "\"", file: "x") }?.contains("delimiter") == true)
    }

    @Test func trailingEmptyFieldAndEmptyFiles() throws {
        #expect(try DelimitedTable.parse("a,b\n1,", delimiter: ",", file: "x").rows == [["1", ""]])
        #expect(errorMessage { _ = try DelimitedTable.parse("", delimiter: ",", file: "e.csv") }?.contains("no examples") == true)
        #expect(errorMessage { _ = try DelimitedTable.parse("a,b\n", delimiter: ",", file: "e.csv") }?.contains("no rows") == true)
    }
}

@Suite struct LabelTests {
    @Test func classesInOrderOfFirstAppearance() throws {
        let (set, ids) = LabelSet.encode(trainLabels: ["7", "2", "7", "10", "2", "01"])
        #expect(set.classes == ["7", "2", "10", "01"])
        #expect(ids == [0, 1, 0, 2, 1, 3])
        #expect(set.index(of: "10") == 2)
        #expect(set.index(of: "1") == nil)   // compared as strings: "1" is not "01"
        #expect(set.encode(["2", "3", "01"]) == [1, LabelSet.unknown, 3])
        #expect(errorMessage { _ = try LabelSet(classes: ["a", "b", "a"]) }?.contains("twice") == true)
        let json = try JSONEncoder().encode(set)
        #expect(String(decoding: json, as: UTF8.self) == "[\"7\",\"2\",\"10\",\"01\"]")
        #expect(try JSONDecoder().decode(LabelSet.self, from: json) == set)
    }

    @Test func labelFile() throws {
        let url = try temporaryFile("cat\r\n dog \n3\ncat\n")
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try LabelFile.read(url) == ["cat", "dog", "3", "cat"])
        let gap = try temporaryFile("a\n\nb\n")
        defer { try? FileManager.default.removeItem(at: gap) }
        #expect(errorMessage { _ = try LabelFile.read(gap) }?.contains("line 2") == true)
        let empty = try temporaryFile("")
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(errorMessage { _ = try LabelFile.read(empty) }?.contains("no labels") == true)
    }
}

@Suite struct TRECTests {
    static var directory: URL {
        get throws {
            try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil)).appendingPathComponent("trec")
        }
    }

    @Test func trainingFileIsLatin1AndParses() throws {
        let dir = try Self.directory
        // Not UTF-8: auto-detection refuses it and names the line with the 0xF0 byte.
        let message = errorMessage { _ = try TextLines.read(dir.appendingPathComponent("train_5500.label")) }
        #expect(message?.contains("line 66, byte 60") == true)

        let train = try TREC.load(directory: dir, split: .train)
        #expect(train.questions.count == 5452)
        #expect(Set(train.coarseLabels) == ["ABBR", "DESC", "ENTY", "HUM", "LOC", "NUM"])
        #expect(Set(train.fineLabels).count == 50)
        #expect(train.fineLabels[0] == "DESC:manner")
        #expect(train.questions[0] == "How did serfdom develop in and then leave Russia ?")
        #expect(train.questions[2] == "How can I find a list of celebrities  real names ?")   // spacing kept
        #expect(train.questions[65] == "Which city has the oldest relationship as a sister\u{F0}city with Los Angeles ?")
        #expect(train.fineLabels.allSatisfy { $0.hasPrefix($0.split(separator: ":")[0] + ":") })
        let (coarse, ids) = LabelSet.encode(trainLabels: train.coarseLabels)
        #expect(coarse.classes.first == "DESC" && coarse.count == 6 && ids.count == 5452)
    }

    @Test func testFile() throws {
        let test = try TREC.load(directory: Self.directory, split: .test)
        #expect(test.questions.count == 500)
        #expect(test.questions[0] == "How far is it from Denver to Aspen ?")
        #expect(test.fineLabels[0] == "NUM:dist" && test.coarseLabels[0] == "NUM")
        #expect(Set(test.coarseLabels).count == 6)
        #expect(Set(test.fineLabels).count == 42)
    }

    @Test func malformedLine() {
        let message = errorMessage { _ = try TREC.parse("NUM:dist How far ?\nnolabel here\n", file: "t.label") }
        #expect(message?.contains("line 2") == true)
        #expect(message?.contains("COARSE:fine") == true)
    }
}
