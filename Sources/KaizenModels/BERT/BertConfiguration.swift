/// Sizes of a BERT encoder; the defaults are all-MiniLM-L6-v2's.
public struct BertConfiguration: Sendable, Equatable {
    public var vocabularySize = 30522
    public var hiddenSize = 384
    public var layers = 6
    public var heads = 12
    public var intermediateSize = 1536
    public var maxPositions = 512
    public var typeVocabularySize = 2
    /// LayerNorm epsilon (BERT's 1e-12).
    public var layerNormEps: Float = 1e-12
    public init() {}
}
