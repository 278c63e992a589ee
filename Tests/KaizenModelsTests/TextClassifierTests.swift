import Foundation
import Testing
import KaizenTensor
import KaizenNN
@testable import KaizenModels

/// `TextClassifier` on a tiny random BERT (no assets needed): checkpoints round-trip exactly,
/// padding does not change a text's logits, and training moves the encoder as well as the head.
@Suite struct TextClassifierTests {
    static let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "dog", "sat", "ran", "on", "mat", "fast", "##s", "a"]

    static func tinyModel(classes: Int = 2, seed: UInt64 = 3) throws -> TextClassifier {
        var c = BertConfiguration()
        c.vocabularySize = vocabulary.count
        c.hiddenSize = 8
        c.layers = 2
        c.heads = 2
        c.intermediateSize = 16
        c.maxPositions = 16
        return try TextClassifier(encoder: BertModel(configuration: c, seed: seed), tokenizer: WordPieceTokenizer(tokens: vocabulary),
                                  classes: classes, maxTokens: 10, seed: seed)
    }

    static let texts = ["the cat sat on the mat", "a dog ran fast", "cats sat", "the dog sat on a mat", "dogs ran", "a cat ran fast on the mat"]

    @Test func savedAndReloadedClassifierGivesIdenticalLogits() throws {
        let model = try Self.tinyModel(classes: 3)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("text-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try TextClassifierCheckpoint(model: model, classes: ["a", "b", "c"], metadata: ["method": "ft"]).save(to: url)
        #expect(try ClassifierCheckpoint.architecture(of: url) == "minilm-l6")
        let loaded = try TextClassifierCheckpoint.load(from: url, tokenizer: WordPieceTokenizer(tokens: Self.vocabulary))
        #expect(loaded.classes == ["a", "b", "c"])
        #expect(loaded.metadata["method"] == "ft")
        #expect(loaded.model.maxTokens == 10)
        #expect(loaded.model.encoder.configuration == model.encoder.configuration)
        let before = try model.inferenceLogits(Self.texts, batchSize: 4).scalars
        let after = try loaded.model.inferenceLogits(Self.texts, batchSize: 4).scalars
        #expect(before.count == Self.texts.count * 3)
        #expect(before == after)
        // The image loader refuses it with a pointer to the text loader.
        #expect(throws: KaizenError.self) { _ = try ClassifierCheckpoint.load(from: url) }
    }

    @Test func paddingDoesNotChangeLogits() throws {
        let model = try Self.tinyModel()
        let alone = try model.inferenceLogits(["dogs ran"], batchSize: 1).scalars
        let batched = try model.inferenceLogits(["dogs ran", "the cat sat on the mat fast"], batchSize: 2).scalars
        for (a, b) in zip(alone, batched.prefix(2)) { #expect(abs(a - b) < 1e-5) }
        // The differentiable path agrees with the fused inference path.
        let (ids, mask) = try model.encode(["dogs ran", "the cat sat on the mat fast"])
        let autograd = try model.logits(ids: ids, mask: mask).scalars
        for (a, b) in zip(autograd, batched) { #expect(abs(a - b) < 1e-4) }
    }

    @Test func trainingMovesEncoderAndHeadAndLowersLoss() throws {
        let model = try Self.tinyModel()
        let labels = Self.texts.map { $0.contains("cat") ? 0 : 1 }
        let word = try #require(model.parameter(named: "bert.embeddings.word_embeddings.weight")).value.scalars
        let query = try #require(model.parameter(named: "bert.encoder.layer.0.attention.self.query.weight")).value.scalars
        var c = TrainingConfiguration()
        c.epochs = 15
        c.batchSize = 3
        c.learningRate = 0.01
        let optimizer = try Adam(parameters: model.trainableParameters(), lr: c.learningRate)
        let history = try TextClassifierTrainer(model: model, optimizer: optimizer, configuration: c).fit(texts: Self.texts, labels: labels)
        #expect(history.epochs.count == 15)
        #expect(history.epochs.last!.meanLoss < history.epochs.first!.meanLoss)
        #expect(try #require(model.parameter(named: "bert.embeddings.word_embeddings.weight")).value.scalars != word)
        #expect(try #require(model.parameter(named: "bert.encoder.layer.0.attention.self.query.weight")).value.scalars != query)
        #expect(try model.predictions(Self.texts) == labels)
    }
}
