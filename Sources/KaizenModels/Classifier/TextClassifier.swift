import Foundation
import KaizenTensor
import KaizenNN

/// A text classifier: a BERT encoder (all-MiniLM-L6-v2, Wang et al. 2020, "MiniLM") whose last hidden
/// state is mean-pooled over the real tokens and fed to a new linear head (logits `[N, C]`).
///
/// The pooled features are *not* L2-normalised: unit-norm features (as in sentence-transformers'
/// embeddings) would give a freshly initialised head logits of order 1/sqrt(384) and need a much
/// larger head learning rate than the fine-tuning methods' defaults, and the normaliser adds nothing
/// a trainable encoder cannot learn. Training runs the differentiable BERT path (gradient mode on);
/// inference without gradients uses BERT's fused fast path. Parameters are named as in HuggingFace's
/// sequence classifiers: `bert.*` for the encoder, `classifier.*` for the head.
public final class TextClassifier: Module {
    /// The (trainable) encoder.
    public let encoder: BertModel
    /// WordPiece tokenizer matching the encoder's vocabulary.
    public let tokenizer: WordPieceTokenizer
    /// The new linear head on the pooled features.
    public private(set) var head: Linear
    /// Longest token sequence fed to the encoder ([CLS] and [SEP] included); longer texts are truncated.
    public let maxTokens: Int
    public var trainingMode = false

    /// Architecture name stored in checkpoints.
    public static let architectureName = "minilm-l6"
    /// Dotted names of the head's parameters in `namedParameters()`.
    public let headParameterNames = ["classifier.weight", "classifier.bias"]

    /// Wraps `encoder` with a fresh head for `classes` outputs (seeded); every parameter is trainable.
    public init(encoder: BertModel, tokenizer: WordPieceTokenizer, classes: Int, maxTokens: Int = 128, seed: UInt64 = 0) throws {
        guard classes >= 1 else { throw KaizenError.invalidArgument(name: "classes", detail: "a head needs at least one class, got \(classes)") }
        guard (2...encoder.configuration.maxPositions).contains(maxTokens) else {
            throw KaizenError.invalidArgument(name: "maxTokens", detail: "must be in 2...\(encoder.configuration.maxPositions), got \(maxTokens)")
        }
        guard tokenizer.tokens.count <= encoder.configuration.vocabularySize else {
            throw KaizenError.invalidArgument(name: "tokenizer", detail: "\(tokenizer.tokens.count) tokens exceed the encoder's vocabulary of \(encoder.configuration.vocabularySize)")
        }
        self.encoder = encoder
        self.tokenizer = tokenizer
        self.maxTokens = maxTokens
        var rng = RandomGenerator(seed: seed)
        head = Linear(encoder.configuration.hiddenSize, classes, rng: &rng)
        encoder.unfreeze()
    }

    /// all-MiniLM-L6-v2 and its vocabulary from the model registry, with a new head.
    public static func pretrainedMiniLM(classes: Int, maxTokens: Int = 128, seed: UInt64 = 0) throws -> TextClassifier {
        try TextClassifier(encoder: BertModel.pretrainedMiniLM(), tokenizer: registryTokenizer(), classes: classes, maxTokens: maxTokens, seed: seed)
    }

    /// all-MiniLM-L6-v2's WordPiece vocabulary from the model registry.
    public static func registryTokenizer() throws -> WordPieceTokenizer {
        try WordPieceTokenizer(vocabURL: ModelRegistry.file("vocab", of: ModelRegistry.miniLML6))
    }

    public func namedChildren() -> [(String, any Module)] { [("bert", encoder), ("classifier", head)] }

    /// Number of classes the head predicts.
    public var classCount: Int { head.outFeatures }
    /// Width of the pooled features.
    public var featureDimension: Int { encoder.configuration.hiddenSize }

    /// Replaces the head with a freshly initialised one for `classes` outputs.
    public func replaceHead(classes: Int, seed: UInt64) throws {
        guard classes >= 1 else { throw KaizenError.invalidArgument(name: "classes", detail: "a head needs at least one class, got \(classes)") }
        var rng = RandomGenerator(seed: seed)
        head = Linear(featureDimension, classes, rng: &rng)
        head.trainingMode = trainingMode
    }

    /// Parameters that are not the head's (the pretrained encoder).
    public func backboneParameters() -> [(String, Parameter)] {
        let names = Set(headParameterNames)
        return namedParameters().filter { !names.contains($0.0) }
    }

    /// Token ids and padding masks of `texts`, truncated to `maxTokens` and padded to the longest.
    public func encode(_ texts: [String]) throws -> (ids: [[Int]], mask: [[Bool]]) {
        try tokenizer.encodeBatch(texts, maxLength: maxTokens)
    }

    /// Mean-pooled last hidden state `[B, H]` of padded ids and masks (true = real token).
    public func features(ids: [[Int]], mask: [[Bool]]) throws -> Tensor {
        try BertModel.meanPool(encoder.lastHiddenState(ids: ids, mask: mask), mask: mask)
    }

    /// Logits `[B, C]` of padded ids and masks.
    public func logits(ids: [[Int]], mask: [[Bool]]) throws -> Tensor {
        try head(features(ids: ids, mask: mask))
    }

    /// Logits `[N, C]` of raw texts, in evaluation mode without gradients, `batchSize` texts at a time.
    public func inferenceLogits(_ texts: [String], batchSize: Int = 64) throws -> Tensor {
        guard batchSize >= 1 else { throw KaizenError.invalidArgument(name: "batchSize", detail: "must be at least 1, got \(batchSize)") }
        guard !texts.isEmpty else { throw KaizenError.invalidArgument(name: "texts", detail: "no texts to classify") }
        let wasTraining = trainingMode
        eval()
        defer { train(wasTraining) }
        let width = classCount
        let out = Tensor(uninitializedShape: [texts.count, width])
        try noGrad {
            var start = 0
            while start < texts.count {
                let chunk = Array(texts[start..<min(start + batchSize, texts.count)])
                let (ids, mask) = try encode(chunk)
                let y = try logits(ids: ids, mask: mask).contiguousValues()
                (out.basePointer + start * width).update(from: y.basePointer, count: chunk.count * width)
                start += chunk.count
            }
        }
        return out
    }

    /// Arg-max class per text.
    public func predictions(_ texts: [String], batchSize: Int = 64) throws -> [Int] {
        try inferenceLogits(texts, batchSize: batchSize).argmax(axis: 1)
    }
}
