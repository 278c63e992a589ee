import ArgumentParser
import Foundation
import Kaizen

/// The inputs shared by `embed` and `features`: one of images (.npy), built-in data, a text file or
/// a CSV column; and the model (registry name or a weights file).
struct ModelInputs: ParsableArguments {
    @Option(help: "efficientnet-lite0 | minilm-l6 | a .pth/.safetensors file (EfficientNet-Lite0 names, or BERT names for .safetensors with a vocab.txt beside it).")
    var model: String
    @Option(help: "Images: float32 .npy [N, 3, H, W], already normalised (no transform is applied).") var images: String?
    @Option(help: "Built-in data: fashion-mnist:train or fashion-mnist:test.") var data: String?
    @Option(help: "Text file, UTF-8, one example per line.") var text: String?
    @Option(help: "CSV/TSV file with a header (use with --text-column).") var csv: String?
    @Option(help: "Column of --csv holding the text.") var textColumn: String?
    @Option(help: "Resize built-in images to this many pixels (default 224; EfficientNet takes any size).") var size: Int = 224
    @Option(help: "Examples per batch.") var batchSize: Int = 64

    func validate() throws {
        let given = [images, data, text, csv].compactMap { $0 }
        guard given.count == 1 else { throw ValidationError("give exactly one input: --images, --data, --text or --csv") }
        if csv != nil && textColumn == nil { throw ValidationError("--csv needs --text-column NAME") }
        if let data, !["fashion-mnist:train", "fashion-mnist:test"].contains(data) {
            throw ValidationError("unknown --data '\(data)'; expected fashion-mnist:train or fashion-mnist:test")
        }
        guard size >= 8 else { throw ValidationError("--size must be at least 8, got \(size)") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        let isImage = images != nil || data != nil
        if model == "minilm-l6" && isImage { throw ValidationError("--model minilm-l6 embeds text; give --text or --csv") }
        if model == "efficientnet-lite0" && !isImage { throw ValidationError("--model efficientnet-lite0 embeds images; give --images or --data") }
        if ModelRegistry.entry(named: model) == nil && !FileManager.default.fileExists(atPath: model) {
            throw ValidationError("unknown --model '\(model)': not efficientnet-lite0, minilm-l6 or an existing file")
        }
    }

    var isText: Bool { text != nil || csv != nil }

    /// Text examples from --text or --csv.
    func texts() throws -> [String] {
        if let text { return try TextLines.read(URL(fileURLWithPath: text)) }
        if let csv, let textColumn {
            let table = try DelimitedTable.read(URL(fileURLWithPath: csv))
            return try table.column(named: textColumn)
        }
        return []
    }

    /// Images as the model sees them, in batches: an iterator of normalised [B, 3, H, W] tensors.
    func imageBatches() throws -> (count: Int, batch: (Range<Int>) throws -> Tensor) {
        if let images {
            let x = try NPY.read(URL(fileURLWithPath: images)).floatTensor()
            guard x.rank == 4, x.shape[1] == 3 else {
                throw KaizenError.shapeMismatch(op: "--images", detail: "\(images) must hold float32 [N, 3, H, W], got \(Shape.describe(x.shape))")
            }
            return (x.shape[0], { r in try x.narrowed(axis: 0, start: r.lowerBound, length: r.count).contiguous() })
        }
        let split: FashionMNIST.Split = data == "fashion-mnist:test" ? .test : .train
        let set = try FashionMNIST.load(split: split)
        let size = self.size
        return (set.count, { r in
            try ImagePreparation.prepare(grey: set.images.narrowed(axis: 0, start: r.lowerBound, length: r.count).contiguous(), size: size)
        })
    }

    /// The MiniLM model and its tokenizer (registry or a user's safetensors with vocab.txt beside it).
    func miniLM() throws -> (BertModel, WordPieceTokenizer) {
        if model == "minilm-l6" {
            return (try BertModel.pretrainedMiniLM(), try WordPieceTokenizer(vocabURL: ModelRegistry.file("vocab", of: ModelRegistry.miniLML6)))
        }
        let url = URL(fileURLWithPath: model)
        return (try BertModel.pretrainedMiniLM(weights: url), try WordPieceTokenizer(vocabURL: url.deletingLastPathComponent().appendingPathComponent("vocab.txt")))
    }

    func efficientNet() throws -> EfficientNetLite0 {
        try EfficientNetLite0.pretrained(weights: model == "efficientnet-lite0" ? nil : URL(fileURLWithPath: model))
    }
}
