import ArgumentParser

/// The labelled-input options `eval` and `evolve --model` share: images (.npy), built-in data, or
/// texts (a file or a CSV column), each with a label file. `check()` is called by the command
/// (not `validate()`, so that `evolve` without `--model` does not ask for an input).
struct LabeledInputOptions: ParsableArguments {
    @Option(help: "Images: float32 .npy [N, 3, H, W], already normalised (with --labels).") var images: String?
    @Option(help: "Built-in data: fashion-mnist:train or fashion-mnist:test.") var data: String?
    @Option(help: "Texts, UTF-8, one example per line (text classifier checkpoints; with --labels).") var text: String?
    @Option(help: "Texts as a CSV/TSV file with a header (with --text-column and --labels).") var csv: String?
    @Option(help: "Column of the CSV input(s) holding the text.") var textColumn: String?
    @Option(help: "Labels, one per line (optional with --data).") var labels: String?

    var isText: Bool { text != nil || csv != nil }

    /// Exactly one input, with the label file and text column it needs.
    func check() throws {
        guard [images, data, text, csv].compactMap({ $0 }).count == 1 else {
            throw ValidationError("give exactly one input: --images X.npy (with --labels), --data, --text FILE or --csv FILE (with --labels)")
        }
        if images != nil && labels == nil { throw ValidationError("--images needs --labels FILE") }
        if isText && labels == nil { throw ValidationError("\(text != nil ? "--text" : "--csv") needs --labels FILE") }
        if csv != nil && textColumn == nil { throw ValidationError("--csv needs --text-column NAME") }
    }
}
