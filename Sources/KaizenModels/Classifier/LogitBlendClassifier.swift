import KaizenTensor
import KaizenNN

/// A frozen base and a tuned side network blended at the logits, `alpha * base(x) + (1 - alpha) *
/// side(x)` (side-tuning, Zhang et al., ECCV 2020), as a classifier that checkpoints can hold. Its
/// state dict is the side network's; the base travels as extra tensors. `features` and `head` are
/// the side network's (a blend has no single feature space).
public final class LogitBlendClassifier: ImageClassifier {
    public let base: any ImageClassifier
    public let side: any ImageClassifier
    /// Weight of the base's logits.
    public let alpha: Float
    public var trainingMode = false

    /// Metadata key holding alpha in a checkpoint; its presence marks a blend.
    public static let alphaKey = "kaizen.blend_alpha"
    /// Prefix of the base's tensors among a checkpoint's extra tensors.
    public static let basePrefix = "blend_base."

    public init(base: any ImageClassifier, side: any ImageClassifier, alpha: Float) throws {
        guard alpha.isFinite, (0...1).contains(alpha) else {
            throw KaizenError.invalidArgument(name: "alpha", detail: "a blend weight must be in [0, 1], got \(alpha)")
        }
        guard base.architectureName == side.architectureName, base.classCount == side.classCount else {
            throw KaizenError.invalidArgument(name: "side", detail: "base and side must share architecture and classes (\(base.architectureName)/\(base.classCount) vs \(side.architectureName)/\(side.classCount))")
        }
        self.base = base
        self.side = side
        self.alpha = alpha
        base.eval()
    }

    public func namedChildren() -> [(String, any Module)] { [("", side)] }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let b = try noGrad { try base(x) }
        return try b * alpha + side(x) * (1 - alpha)
    }

    public func features(_ x: Tensor) throws -> Tensor { try side.features(x) }
    public var head: Linear { side.head }
    public var headParameterNames: [String] { side.headParameterNames }
    public var featureDimension: Int { side.featureDimension }
    public var architectureName: String { side.architectureName }
    public func replaceHead(classes: Int, seed: UInt64) throws {
        throw KaizenError.invalidArgument(name: "model", detail: "a side-tuned blend cannot get a new head; fine-tune its base instead")
    }
}
