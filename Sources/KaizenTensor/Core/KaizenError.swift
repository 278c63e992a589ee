/// The one error type of the engine. Every case names what went wrong and where, so that a
/// message shown to a user says which tensor, file or argument to fix.
public enum KaizenError: Error, CustomStringConvertible, Equatable {
    /// Two shapes that had to agree did not.
    case shapeMismatch(op: String, detail: String)
    /// An argument outside its valid range; `name` is the argument, `detail` what is expected.
    case invalidArgument(name: String, detail: String)
    /// A gradient was requested through an operation that has none.
    case notDifferentiable(op: String)
    /// A file could not be read or written; `offset` is a byte offset or key when known.
    case io(file: String, location: String?, reason: String)
    /// A named tensor or parameter was missing, unexpected or of the wrong shape.
    case tensorName(name: String, reason: String)
    /// A required asset (model weights, dataset) is not installed; `hint` is the command that installs it.
    case missingAsset(name: String, hint: String)
    /// A numerical failure (NaN or infinite loss, singular matrix).
    case numerical(detail: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, detail): return "\(op): shape mismatch: \(detail)"
        case let .invalidArgument(name, detail): return "invalid \(name): \(detail)"
        case let .notDifferentiable(op):
            return "\(op) has no gradient; compute it under `noGrad { }` or detach its input"
        case let .io(file, location, reason):
            if let location { return "\(file) (at \(location)): \(reason)" }
            return "\(file): \(reason)"
        case let .tensorName(name, reason): return "tensor '\(name)': \(reason)"
        case let .missingAsset(name, hint): return "\(name) is not installed; install it with: \(hint)"
        case let .numerical(detail): return "numerical error: \(detail)"
        }
    }
}
