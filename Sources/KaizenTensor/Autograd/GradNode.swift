/// A vertex of the recorded autograd graph: either a leaf (a parameter that requires grad) or the
/// output of an op, holding the closure that maps the output gradient to its inputs' gradients.
///
/// Gradients are keyed by node identity, never by tensor value. After `backward` the closures and
/// edges of op nodes are dropped, so the graph's saved tensors are released.
public final class GradNode: @unchecked Sendable {
    /// The backward rule: output gradient and which inputs need a gradient -> one gradient per input.
    public typealias Backward = (_ gradOutput: Tensor, _ needsGrad: [Bool]) throws -> [Tensor?]

    public let op: String
    public let shape: [Int]
    public let isLeaf: Bool
    var inputs: [GradNode?]
    var backwardRule: Backward?
    /// Accumulated gradient of a leaf (or of any node that `retainsGrad`).
    public var grad: Tensor?
    /// Keep this node's gradient after backward even though it is not a leaf.
    public var retainsGrad = false
    /// Called with this node's gradient once it is complete (gradient taps for per-sample features).
    public var onGradient: ((Tensor) -> Void)?

    /// A leaf node for a tensor that requires grad.
    public init(leafShape shape: [Int]) {
        op = "leaf"
        self.shape = shape
        isLeaf = true
        inputs = []
    }

    init(op: String, shape: [Int], inputs: [GradNode?], backward: @escaping Backward) {
        self.op = op
        self.shape = shape
        isLeaf = false
        self.inputs = inputs
        backwardRule = backward
    }

    /// Whether the node's backward rule has already run and been released.
    public var isReleased: Bool { !isLeaf && backwardRule == nil }
}
