/// Recording ops into the graph and running reverse mode over it.
public enum Autograd {
    /// Whether `record` with these inputs would attach a node (so an op can decide up front
    /// whether to keep intermediates for its backward).
    public static func willRecord(_ inputs: [Tensor]) -> Bool {
        GradMode.isEnabled && inputs.contains { $0.node != nil }
    }

    /// Attaches an op node to `output` when grad mode is on and an input is tracked; otherwise
    /// returns `output` untouched, so inference builds no graph.
    public static func record(_ op: String, output: Tensor, inputs: [Tensor],
                              backward: @escaping GradNode.Backward) -> Tensor {
        guard willRecord(inputs) else { return output }
        var out = output
        out.node = GradNode(op: op, shape: output.shape, inputs: inputs.map(\.node), backward: backward)
        return out
    }

    /// Records an op that has no gradient: backward through it throws `notDifferentiable`.
    public static func recordNonDifferentiable(_ op: String, output: Tensor, inputs: [Tensor]) -> Tensor {
        record(op, output: output, inputs: inputs) { _, _ in throw KaizenError.notDifferentiable(op: op) }
    }

    /// Reverse mode from `root` with the given seed gradient (ones for a scalar root).
    /// Leaf gradients accumulate into `node.grad`; op nodes are released afterwards.
    public static func backward(from root: Tensor, seed: Tensor? = nil) throws {
        guard let rootNode = root.node else {
            throw KaizenError.invalidArgument(name: "tensor", detail: "backward() on a tensor that does not require grad")
        }
        let seedGrad: Tensor
        if let seed {
            guard seed.shape == root.shape else {
                throw KaizenError.shapeMismatch(op: "backward", detail: "seed \(Shape.describe(seed.shape)) vs output \(Shape.describe(root.shape))")
            }
            seedGrad = seed.detached().contiguousValues()
        } else {
            guard root.count == 1 else {
                throw KaizenError.invalidArgument(name: "tensor", detail: "backward() without a seed needs a scalar, got \(Shape.describe(root.shape))")
            }
            seedGrad = Tensor(shape: root.shape, repeating: 1)
        }
        let order = topologicalOrder(rootNode)
        var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(rootNode): seedGrad]
        try noGrad {
            for node in order {
                guard let g = grads.removeValue(forKey: ObjectIdentifier(node)) else { continue }
                if node.isLeaf || node.retainsGrad {
                    node.grad = node.grad.map { Kernels.add($0, g) } ?? g
                }
                node.onGradient?(g)
                guard let rule = node.backwardRule else { continue }
                let needs = node.inputs.map { $0 != nil }
                let inputGrads = try rule(g, needs)
                for (i, input) in node.inputs.enumerated() {
                    guard let input, i < inputGrads.count, let ig = inputGrads[i] else { continue }
                    guard ig.shape == input.shape else {
                        throw KaizenError.shapeMismatch(op: "backward of \(node.op)",
                                                        detail: "gradient \(Shape.describe(ig.shape)) for input \(Shape.describe(input.shape))")
                    }
                    let key = ObjectIdentifier(input)
                    grads[key] = grads[key].map { Kernels.add($0, ig) } ?? ig.contiguousValues()
                }
                node.backwardRule = nil
                node.inputs = []
            }
        }
    }

    /// Nodes reachable from `root`, each after every node that consumes it (reverse topological).
    static func topologicalOrder(_ root: GradNode) -> [GradNode] {
        var visited = Set<ObjectIdentifier>()
        var post: [GradNode] = []
        var stack: [(GradNode, Int)] = [(root, 0)]
        visited.insert(ObjectIdentifier(root))
        while let (node, i) = stack.popLast() {
            if i < node.inputs.count {
                stack.append((node, i + 1))
                if let child = node.inputs[i], visited.insert(ObjectIdentifier(child)).inserted {
                    stack.append((child, 0))
                }
            } else {
                post.append(node)
            }
        }
        return post.reversed()
    }
}

extension Tensor {
    /// Runs reverse mode from this tensor (a scalar, or with an explicit seed gradient).
    public func backward(seed: Tensor? = nil) throws { try Autograd.backward(from: self, seed: seed) }

    /// Clears the accumulated gradient of a leaf.
    public func zeroGrad() { node?.grad = nil }
}
