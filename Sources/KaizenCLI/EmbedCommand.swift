import ArgumentParser
import Foundation
import Kaizen

/// `kaizen embed`: one embedding per input from a pretrained model.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed images (EfficientNet-Lite0: pooled 1280-d, or 1000 logits) or text (MiniLM: L2-normalised 384-d).",
        discussion: """
        Examples:
          kaizen embed --model efficientnet-lite0 --data fashion-mnist:test \\
              --size 64 --out test.npy
          kaizen embed --model efficientnet-lite0 --images x.npy --logits \\
              --out logits.npy
          kaizen embed --model minilm-l6 --text questions.txt --out q.npy
          kaizen embed --model minilm-l6 --csv reviews.csv --text-column body \\
              --out r.npy
        """
    )
    @OptionGroup var inputs: ModelInputs
    @Flag(help: "EfficientNet-Lite0's 1000 ImageNet logits instead of the pooled features.") var logits = false
    @Option(help: "Output .npy (float32 [N, D]).") var out: String
    @OptionGroup var common: CommonOptions

    func validate() throws {
        if logits && inputs.isText { throw ValidationError("--logits applies to images (EfficientNet-Lite0)") }
    }

    func run() throws {
        try common.withThreads {
            let start = Date()
            let result = inputs.isText ? try embedText() : try embedImages()
            try NPY.write(result, to: URL(fileURLWithPath: out))
            common.log(String(format: "wrote %@ %@ in %.1f s", out, Shape.describe(result.shape), Date().timeIntervalSince(start)))
            if common.json { try JSONOutput.print(["out": out, "shape": result.shape, "seconds": Date().timeIntervalSince(start)]) }
        }
    }

    private func embedImages() throws -> Tensor {
        let model = try inputs.efficientNet()
        let (count, batch) = try inputs.imageBatches()
        guard count > 0 else { throw KaizenError.invalidArgument(name: "input", detail: "no images to embed") }
        let progress = common.progress("embed")
        var parts: [Tensor] = []
        var startIndex = 0
        while startIndex < count {
            let r = startIndex..<Swift.min(startIndex + inputs.batchSize, count)
            let x = try batch(r)
            parts.append(try noGrad { logits ? try model(x) : try model.features(x) }.detached())
            startIndex = r.upperBound
            progress?(startIndex, count)
        }
        return try Tensor.concat(parts, axis: 0)
    }

    private func embedText() throws -> Tensor {
        let texts = try inputs.texts()
        guard !texts.isEmpty else { throw KaizenError.invalidArgument(name: "input", detail: "no texts to embed") }
        let (model, tokenizer) = try inputs.miniLM()
        // Sorting by length keeps padding small within a batch (as sentence-transformers does).
        let order = texts.indices.sorted { texts[$0].utf8.count < texts[$1].utf8.count }
        let progress = common.progress("embed")
        let out = Tensor(uninitializedShape: [texts.count, model.configuration.hiddenSize])
        let d = model.configuration.hiddenSize
        var done = 0
        while done < order.count {
            let rows = Array(order[done..<Swift.min(done + inputs.batchSize, order.count)])
            let (ids, mask) = try tokenizer.encodeBatch(rows.map { texts[$0] })
            let emb = try noGrad { try model.sentenceEmbeddings(ids: ids, mask: mask) }.contiguousValues()
            for (k, row) in rows.enumerated() { (out.basePointer + row * d).update(from: emb.basePointer + k * d, count: d) }
            done += rows.count
            progress?(done, order.count)
        }
        return out
    }
}
