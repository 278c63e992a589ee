import Kaizen

/// Capabilities whose demo stage is not built yet: the report says so plainly instead of showing
/// stored or invented numbers.
enum PendingStages {
    static let notes: [(id: String, title: String, issue: Int, what: String)] = [
        ("debias", "Debias: remove a shortcut with a few counter-examples", 7,
         "change-penalised tuning vs fine-tuning on Colored Fashion-MNIST with 16 counter-examples"),
    ]

    static func add(_ ctx: DemoContext, only: String?) {
        for note in notes where only == nil || only == note.id {
            ctx.sections.append(.init(id: note.id, title: note.title,
                                      summary: "Not built yet (issue \(note.issue)). This section will show \(note.what)."))
            ctx.results[note.id] = ["status": "not implemented yet", "issue": note.issue] as [String: Any]
        }
    }
}
