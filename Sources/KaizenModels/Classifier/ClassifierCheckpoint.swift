import Foundation
import KaizenTensor
import KaizenNN
import KaizenIO

/// A classifier saved as one safetensors file: the model's state dict under its PyTorch-style names,
/// plus metadata naming the architecture, the class list and the input size, so that `kaizen eval`
/// and `kaizen debias` can rebuild it. Extra tensors (optimiser or method state) live under
/// `state.` and are ignored when only the model is wanted.
public struct ClassifierCheckpoint {
    public var model: any ImageClassifier
    /// Class names in head order.
    public var classes: [String]
    /// Side length the model was trained at (images are square).
    public var inputSize: Int
    /// Free-form metadata written alongside (method, epoch, ...).
    public var metadata: [String: String]
    /// Extra tensors under `state.` (optimiser state for resuming).
    public var extraTensors: [String: Tensor]

    public static let architectureKey = "kaizen.architecture"
    public static let classesKey = "kaizen.classes"
    public static let inputSizeKey = "kaizen.input_size"
    public static let extraPrefix = "state."

    public init(model: any ImageClassifier, classes: [String], inputSize: Int, metadata: [String: String] = [:],
                extraTensors: [String: Tensor] = [:]) throws {
        guard classes.count == model.classCount else {
            throw KaizenError.invalidArgument(name: "classes", detail: "\(classes.count) class names for a head with \(model.classCount) outputs")
        }
        self.model = model
        self.classes = classes
        self.inputSize = inputSize
        self.metadata = metadata
        self.extraTensors = extraTensors
    }

    /// Architectures a checkpoint can name.
    public static let architectures = ["efficientnet-lite0", "small-cnn"]

    /// A freshly initialised model of a named architecture (its head sized to `classes`).
    public static func makeModel(architecture: String, classes: Int, seed: UInt64 = 0) throws -> any ImageClassifier {
        switch architecture {
        case "efficientnet-lite0":
            var configuration = EfficientNetLite0.Configuration()
            configuration.classes = classes
            return try EfficientNetLite0(configuration: configuration, seed: seed)
        case "small-cnn":
            return try SmallCNN(classes: classes, seed: seed)
        case TextClassifier.architectureName:
            throw KaizenError.invalidArgument(name: "architecture", detail: "'\(architecture)' is a text classifier; load it with TextClassifierCheckpoint (kaizen eval --text/--csv)")
        default:
            throw KaizenError.invalidArgument(name: "architecture", detail: "unknown classifier architecture '\(architecture)'; known: \(architectures.joined(separator: ", "))")
        }
    }

    /// Writes the checkpoint atomically (a crash never leaves a half-written file).
    public func save(to url: URL) throws {
        var meta = metadata
        meta[Self.architectureKey] = model.architectureName
        let classJSON = try JSONSerialization.data(withJSONObject: classes)
        meta[Self.classesKey] = String(decoding: classJSON, as: UTF8.self)
        meta[Self.inputSizeKey] = String(inputSize)
        var tensors = model.stateDict()
        var extraTensors = self.extraTensors
        if let blend = model as? LogitBlendClassifier {
            meta[LogitBlendClassifier.alphaKey] = String(blend.alpha)
            for (name, t) in blend.base.stateDict() { extraTensors[LogitBlendClassifier.basePrefix + name] = t }
        }
        for name in extraTensors.keys.sorted() {
            if let t = extraTensors[name] { tensors.append((Self.extraPrefix + name, t)) }
        }
        try Self.writeAtomically(tensors: tensors, metadata: meta, to: url)
    }

    /// Writes a safetensors file beside `url` and renames it into place.
    static func writeAtomically(tensors: [(String, Tensor)], metadata: [String: String], to url: URL) throws {
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
        try SafeTensors.write(tensors: tensors, metadata: metadata, to: tmp)
        guard rename(tmp.path, url.path) == 0 else {
            throw KaizenError.io(file: url.path, location: nil, reason: "could not move the finished checkpoint into place (errno \(errno))")
        }
    }

    /// The architecture a checkpoint file names (`efficientnet-lite0`, `small-cnn`, `minilm-l6`, ...),
    /// nil when the file has no Kaizen metadata.
    public static func architecture(of url: URL) throws -> String? {
        try metadata(of: url)[architectureKey]
    }

    /// The free-form metadata of a checkpoint file, without building the model.
    public static func metadata(of url: URL) throws -> [String: String] {
        try SafeTensors.read(url).metadata
    }

    /// Reads a checkpoint written by `save`; a file without Kaizen metadata gets an error that says
    /// how to make one.
    public static func load(from url: URL) throws -> ClassifierCheckpoint {
        let file = try SafeTensors.read(url)
        guard let architecture = file.metadata[architectureKey] else {
            throw KaizenError.io(file: url.path, location: nil, reason: "not a Kaizen classifier checkpoint (no '\(architectureKey)' metadata); create one with `kaizen finetune ... --out \(url.lastPathComponent)`")
        }
        guard architecture != TextClassifier.architectureName else {
            throw KaizenError.io(file: url.path, location: architectureKey, reason: "this is a text classifier (\(architecture)); give it texts (`kaizen eval --model \(url.lastPathComponent) --text FILE --labels L`) or load it with TextClassifierCheckpoint")
        }
        guard let classText = file.metadata[classesKey],
              let classes = try? JSONSerialization.jsonObject(with: Data(classText.utf8)) as? [String], !classes.isEmpty else {
            throw KaizenError.io(file: url.path, location: classesKey, reason: "missing or malformed class list (expected a JSON array of strings)")
        }
        guard let sizeText = file.metadata[inputSizeKey], let inputSize = Int(sizeText), inputSize > 0 else {
            throw KaizenError.io(file: url.path, location: inputSizeKey, reason: "missing or malformed input size")
        }
        var model = try makeModel(architecture: architecture, classes: classes.count)
        var weights: [String: Tensor] = [:], extra: [String: Tensor] = [:], baseWeights: [String: Tensor] = [:]
        for name in file.names {
            let t = try file.tensor(named: name)
            guard name.hasPrefix(extraPrefix) else { weights[name] = t; continue }
            let key = String(name.dropFirst(extraPrefix.count))
            if key.hasPrefix(LogitBlendClassifier.basePrefix) { baseWeights[String(key.dropFirst(LogitBlendClassifier.basePrefix.count))] = t } else { extra[key] = t }
        }
        do { try model.loadStateDict(weights, strict: true) } catch {
            throw KaizenError.io(file: url.path, location: nil, reason: "weights do not fit a \(architecture) with \(classes.count) classes: \(error)")
        }
        if let alphaText = file.metadata[LogitBlendClassifier.alphaKey] {
            guard let alpha = Float(alphaText) else {
                throw KaizenError.io(file: url.path, location: LogitBlendClassifier.alphaKey, reason: "malformed blend weight '\(alphaText)'")
            }
            let base = try makeModel(architecture: architecture, classes: classes.count)
            do { try base.loadStateDict(baseWeights, strict: true) } catch {
                throw KaizenError.io(file: url.path, location: LogitBlendClassifier.basePrefix, reason: "the blend's base weights do not fit: \(error)")
            }
            model = try LogitBlendClassifier(base: base, side: model, alpha: alpha)
        }
        var meta = file.metadata
        for key in [architectureKey, classesKey, inputSizeKey, LogitBlendClassifier.alphaKey] { meta[key] = nil }
        return try ClassifierCheckpoint(model: model, classes: classes, inputSize: inputSize, metadata: meta, extraTensors: extra)
    }
}

/// A text classifier (`TextClassifier`, architecture `minilm-l6`) saved as one safetensors file: its
/// state dict (`bert.*`, `classifier.*`), metadata with the architecture, class list and token limit
/// (under `ClassifierCheckpoint`'s keys) and the encoder's sizes, and extra tensors under `state.`.
/// The vocabulary is not stored (it is all-MiniLM-L6-v2's fixed vocabulary, re-read from the model
/// registry on load, so checkpoints stay small and path-independent); pass `tokenizer` for another.
public struct TextClassifierCheckpoint {
    public var model: TextClassifier
    /// Class names in head order.
    public var classes: [String]
    /// Free-form metadata written alongside (method, epoch, ...).
    public var metadata: [String: String]
    /// Extra tensors under `state.` (optimiser state for resuming).
    public var extraTensors: [String: Tensor]

    /// Metadata key of the model's `maxTokens`.
    public static let maxTokensKey = "kaizen.max_tokens"
    /// Metadata key of the encoder's sizes (JSON object; absent: all-MiniLM-L6-v2's).
    public static let encoderKey = "kaizen.bert_configuration"

    public init(model: TextClassifier, classes: [String], metadata: [String: String] = [:], extraTensors: [String: Tensor] = [:]) throws {
        guard classes.count == model.classCount else {
            throw KaizenError.invalidArgument(name: "classes", detail: "\(classes.count) class names for a head with \(model.classCount) outputs")
        }
        self.model = model
        self.classes = classes
        self.metadata = metadata
        self.extraTensors = extraTensors
    }

    /// Writes the checkpoint atomically.
    public func save(to url: URL) throws {
        var meta = metadata
        meta[ClassifierCheckpoint.architectureKey] = TextClassifier.architectureName
        meta[ClassifierCheckpoint.classesKey] = String(decoding: try JSONSerialization.data(withJSONObject: classes), as: UTF8.self)
        meta[Self.maxTokensKey] = String(model.maxTokens)
        let c = model.encoder.configuration
        let sizes: [String: Any] = ["vocabulary": c.vocabularySize, "hidden": c.hiddenSize, "layers": c.layers, "heads": c.heads,
                                    "intermediate": c.intermediateSize, "positions": c.maxPositions, "types": c.typeVocabularySize,
                                    "layer_norm_eps": Double(c.layerNormEps)]
        meta[Self.encoderKey] = String(decoding: try JSONSerialization.data(withJSONObject: sizes, options: [.sortedKeys]), as: UTF8.self)
        var tensors = model.stateDict()
        for name in extraTensors.keys.sorted() {
            if let t = extraTensors[name] { tensors.append((ClassifierCheckpoint.extraPrefix + name, t)) }
        }
        try ClassifierCheckpoint.writeAtomically(tensors: tensors, metadata: meta, to: url)
    }

    /// Reads a checkpoint written by `save`; `tokenizer` defaults to all-MiniLM-L6-v2's vocabulary
    /// from the model registry. `extraTensors: false` skips the `state.` tensors (optimiser state,
    /// several times the model's size) when only the model is wanted.
    public static func load(from url: URL, tokenizer: WordPieceTokenizer? = nil, extraTensors: Bool = true) throws -> TextClassifierCheckpoint {
        let file = try SafeTensors.read(url)
        let architecture = file.metadata[ClassifierCheckpoint.architectureKey]
        guard architecture == TextClassifier.architectureName else {
            throw KaizenError.io(file: url.path, location: ClassifierCheckpoint.architectureKey,
                                 reason: "not a text classifier checkpoint (architecture \(architecture ?? "missing"), expected \(TextClassifier.architectureName)); create one with `kaizen finetune --model minilm-l6 --text FILE --labels L --out \(url.lastPathComponent)`")
        }
        guard let classText = file.metadata[ClassifierCheckpoint.classesKey],
              let classes = try? JSONSerialization.jsonObject(with: Data(classText.utf8)) as? [String], !classes.isEmpty else {
            throw KaizenError.io(file: url.path, location: ClassifierCheckpoint.classesKey, reason: "missing or malformed class list (expected a JSON array of strings)")
        }
        guard let maxText = file.metadata[maxTokensKey], let maxTokens = Int(maxText) else {
            throw KaizenError.io(file: url.path, location: maxTokensKey, reason: "missing or malformed token limit")
        }
        var configuration = BertConfiguration()
        if let text = file.metadata[encoderKey] {
            guard let sizes = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                  let v = sizes["vocabulary"] as? Int, let h = sizes["hidden"] as? Int, let l = sizes["layers"] as? Int,
                  let heads = sizes["heads"] as? Int, let i = sizes["intermediate"] as? Int, let p = sizes["positions"] as? Int,
                  let t = sizes["types"] as? Int, let eps = sizes["layer_norm_eps"] as? Double,
                  [v, h, l, heads, i, p, t].allSatisfy({ $0 > 0 }), h % heads == 0 else {
                throw KaizenError.io(file: url.path, location: encoderKey, reason: "malformed encoder sizes '\(text)'")
            }
            configuration.vocabularySize = v; configuration.hiddenSize = h; configuration.layers = l; configuration.heads = heads
            configuration.intermediateSize = i; configuration.maxPositions = p; configuration.typeVocabularySize = t
            configuration.layerNormEps = Float(eps)
        }
        let model = try TextClassifier(encoder: BertModel(configuration: configuration), tokenizer: tokenizer ?? TextClassifier.registryTokenizer(),
                                       classes: classes.count, maxTokens: maxTokens)
        var weights: [String: Tensor] = [:], extra: [String: Tensor] = [:]
        for name in file.names {
            if name.hasPrefix(ClassifierCheckpoint.extraPrefix) {
                if extraTensors { extra[String(name.dropFirst(ClassifierCheckpoint.extraPrefix.count))] = try file.tensor(named: name) }
            } else {
                weights[name] = try file.tensor(named: name)
            }
        }
        do { try model.loadStateDict(weights, strict: true) } catch {
            throw KaizenError.io(file: url.path, location: nil, reason: "weights do not fit a \(TextClassifier.architectureName) text classifier with \(classes.count) classes: \(error)")
        }
        var meta = file.metadata
        for key in [ClassifierCheckpoint.architectureKey, ClassifierCheckpoint.classesKey, maxTokensKey, encoderKey] { meta[key] = nil }
        return try TextClassifierCheckpoint(model: model, classes: classes, metadata: meta, extraTensors: extra)
    }
}
