import KaizenTensor
import KaizenNN

/// An image classifier the tuning methods can work on: images `[N, 3, H, W]` to logits `[N, C]`
/// (`callAsFunction`), pooled features before the head, and a replaceable linear head.
public protocol ImageClassifier: Layer {
    /// Pooled features that feed the head, `[N, featureDimension]`.
    func features(_ x: Tensor) throws -> Tensor
    /// The final linear layer.
    var head: Linear { get }
    /// Dotted names of the head's parameters in `namedParameters()`; methods exclude these from
    /// constraints meant for pretrained weights.
    var headParameterNames: [String] { get }
    /// Width of `features`.
    var featureDimension: Int { get }
    /// Replaces the head with a freshly initialised one for `classes` outputs.
    func replaceHead(classes: Int, seed: UInt64) throws
    /// Short architecture name stored in checkpoints (`efficientnet-lite0`, `small-cnn`).
    var architectureName: String { get }
}

extension ImageClassifier {
    /// Number of classes the head predicts.
    public var classCount: Int { head.outFeatures }

    /// Parameters that are not the head's (the pretrained backbone).
    public func backboneParameters() -> [(String, Parameter)] {
        let head = Set(headParameterNames)
        return namedParameters().filter { !head.contains($0.0) }
    }
}

extension EfficientNetLite0: ImageClassifier {
    public var head: Linear { fc }
    public var headParameterNames: [String] { ["_fc.weight", "_fc.bias"] }
    public var featureDimension: Int { 1280 }
    public var architectureName: String { "efficientnet-lite0" }
}
