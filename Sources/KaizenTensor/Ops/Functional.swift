/// Functional forms of the composite ops that layers call (in the spirit of torch.nn.functional):
/// conv, pooling, normalisation, dropout, embedding, attention, losses. Each file of Ops/ extends it.
public enum Functional {}

/// How a per-element loss is reduced.
public enum Reduction: String, Sendable, CaseIterable {
    case mean, sum, none
}
