import Foundation

/// FUNGI's self-supervised objectives (Simoncini et al., NeurIPS 2024). The feature blocks are
/// always assembled in this order: embedding, KL, DINO, SimCLR.
public enum FUNGIObjective: String, Sendable, CaseIterable, Codable, Comparable {
    case kl, dino, simclr

    /// Position in FUNGI's block order (KL, DINO, SimCLR).
    public var order: Int { Self.allCases.firstIndex(of: self) ?? 0 }

    public static func < (a: Self, b: Self) -> Bool { a.order < b.order }

    /// Parses "kl,simclr" (any order, no repeats) into objectives in FUNGI's order.
    public static func parseList(_ list: String, argument: String = "--objectives") throws -> [FUNGIObjective] {
        var out: [FUNGIObjective] = []
        for part in list.split(separator: ",") {
            let name = part.trimmingCharacters(in: .whitespaces).lowercased()
            guard let o = FUNGIObjective(rawValue: name) else {
                throw KaizenError.invalidArgument(name: argument, detail: "unknown objective '\(name)'; expected kl, dino or simclr (comma-separated)")
            }
            guard !out.contains(o) else {
                throw KaizenError.invalidArgument(name: argument, detail: "objective '\(name)' is given twice")
            }
            out.append(o)
        }
        guard !out.isEmpty else { throw KaizenError.invalidArgument(name: argument, detail: "give at least one objective: kl, dino, simclr") }
        return out.sorted()
    }
}

/// FUNGI's KL objective: KL(uniform || softmax(h(e^) / T)) with a random head on the L2-normalised embedding.
public struct KLObjectiveConfiguration: Sendable, Equatable {
    /// Head outputs L (the paper: 768).
    public var outputs = 768
    /// Softmax temperature T (the paper's experiments: 15).
    public var temperature: Float = 15
    public init() {}

    func validate() throws {
        guard temperature > 0, outputs >= 2 else {
            throw KaizenError.invalidArgument(name: "KL head", detail: "needs temperature > 0 and at least 2 outputs")
        }
    }
}

/// FUNGI's DINO objective: a random teacher head (no gradient) on the global views against a
/// separate random student head on all views, no centering, no EMA.
public struct DINOObjectiveConfiguration: Sendable, Equatable {
    /// Global views per input (the paper: 2 random resized crops, scale 0.25-1).
    public var globalViews = 2
    /// Local views per input (the paper: 10 random resized crops, scale 0.05-0.25).
    public var localViews = 10
    /// Area (images) or word-count (text) fraction of a global view.
    public var globalScale: ClosedRange<Double> = 0.25...1
    /// Area (images) or word-count (text) fraction of a local view.
    public var localScale: ClosedRange<Double> = 0.05...0.25
    /// Outputs of the teacher and the student head (the paper: 2048).
    public var outputs = 2048
    /// Teacher softmax temperature (the paper: 0.07).
    public var teacherTemperature: Float = 0.07
    /// Student softmax temperature (the paper: 0.1).
    public var studentTemperature: Float = 0.1
    public init() {}

    public var views: Int { globalViews + localViews }

    func validate() throws {
        guard globalViews >= 1, localViews >= 0, outputs >= 2, teacherTemperature > 0, studentTemperature > 0 else {
            throw KaizenError.invalidArgument(name: "DINO", detail: "needs at least 1 global view, 2 outputs and positive temperatures")
        }
    }
}

/// FUNGI's SimCLR objective: InfoNCE between the views of one input against a fixed bank of
/// negatives encoded once, with a random head on the raw embedding.
public struct SimCLRObjectiveConfiguration: Sendable, Equatable {
    /// Positive views per input (text: 12 word-deletion views; images: the patch grid's 49).
    public var views = 12
    /// Head outputs (text: 256; images: 96).
    public var outputs = 256
    /// InfoNCE temperature tau (the paper: 0.07).
    public var temperature: Float = 0.07
    /// Inputs in the negative bank (the paper: 256 training inputs).
    public var negatives = 256
    /// Views per negative input (text: 2; images: the 49 patch views).
    public var negativeViews = 2
    /// Whether tau also divides the logits inside the log-sum-exp (the paper's vision code: yes;
    /// its text, audio and library code: no).
    public var temperatureInLogSumExp = false
    public init() {}
}

/// FUNGI settings for a text encoder (BERT/MiniLM), with the paper's text defaults (spec fungi.md §5).
public struct TextFUNGIConfiguration: Sendable {
    /// Objectives to compute (the paper's text setting: KL and SimCLR).
    public var objectives: [FUNGIObjective] = [.kl, .simclr]
    /// The layer whose per-sample gradient is the feature (the last attention output projection).
    public var layer = "encoder.layer.5.attention.output.dense"
    public var kl = KLObjectiveConfiguration()
    /// DINO for text is not in the paper; views are contiguous word spans (the 1-D analogue of
    /// random resized crops: the scales are fractions of the words kept).
    public var dino = DINOObjectiveConfiguration()
    public var simclr = SimCLRObjectiveConfiguration()
    /// Probability of deleting each word in a SimCLR view (the paper: 0.1).
    public var wordDeletion = 0.1
    /// Seeds the random heads, the views, the negative sample and the shared projection.
    public var seed: UInt64 = 42
    /// Sentences per forward/backward pass (each brings all its views).
    public var batchSize = 8
    /// Projected gradient size; nil = the embedding size (the paper).
    public var projectionDimension: Int?
    /// The random projection: the paper's dense i.i.d. +-1 matrix, or a sparse sign matrix.
    public var projection: GradientProjection.Kind = .dense
    public init() {}

    /// Deprecated spellings kept for callers of the first release.
    public var klOutputs: Int { get { kl.outputs } set { kl.outputs = newValue } }
    public var klTemperature: Float { get { kl.temperature } set { kl.temperature = newValue } }
}

/// FUNGI settings for EfficientNet-Lite0, with the paper's vision defaults (spec fungi.md §4). The
/// gradient is taken at `_conv_head` (a 1x1 convolution: a linear map at every spatial position).
public struct ImageFUNGIConfiguration: Sendable {
    /// Objectives to compute (the paper: KL, DINO and SimCLR).
    public var objectives: [FUNGIObjective] = [.kl, .dino, .simclr]
    public var kl = KLObjectiveConfiguration()
    public var dino = DINOObjectiveConfiguration()
    /// SimCLR for images: 96 outputs, tau inside the log-sum-exp too. The positive views and the
    /// views per negative are the patch grid's (`views` and `negativeViews` are not used).
    public var simclr: SimCLRObjectiveConfiguration = {
        var c = SimCLRObjectiveConfiguration()
        c.outputs = 96
        c.temperatureInLogSumExp = true
        c.views = 49
        c.negativeViews = 49
        return c
    }()
    /// SimCLR patch grid per side (the paper: 7, i.e. 49 views).
    public var patchGrid = 7
    /// Patch side as a fraction of the image side (the paper: 112 of 224).
    public var patchFraction = 0.5
    /// Side of every DINO and SimCLR view; nil = the input's own size (the paper resizes all views
    /// to the model's 224).
    public var viewSize: Int?
    /// Seeds the random heads, the views, the negative sample and the shared projection.
    public var seed: UInt64 = 42
    /// Images per forward/backward pass (each brings all its views).
    public var batchSize = 8
    /// Images whose raw gradients (1.6 MB each per objective) are collected before one dense
    /// projection (the sparse one projects every batch at once):
    /// expanding the +-1 signs costs the same for 8 rows as for 64, so larger groups amortise it
    /// (KL features of 256 images at 64 px, 1 thread: 18 s -> 14 s).
    public var projectionBatch = 64
    /// Views per trunk forward pass (bounds memory).
    public var trunkChunk = 128
    /// Projected gradient size; nil = the embedding size, 1280 (the paper).
    public var projectionDimension: Int?
    /// The random projection: the paper's dense i.i.d. +-1 matrix, or a sparse sign matrix (on
    /// EfficientNet-Lite0 the dense one costs several times the forward pass; see BENCHMARKS.md).
    public var projection: GradientProjection.Kind = .dense
    public init() {}
}
