/// Progress of a long job: called with (completed, total) units. Library code reports through it;
/// the command-line tool renders it as a bar (terminal) or as plain lines (pipes, CI).
public typealias ProgressHandler = @Sendable (_ completed: Int, _ total: Int) -> Void
