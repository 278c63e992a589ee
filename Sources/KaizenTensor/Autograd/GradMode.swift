/// Whether operations record the autograd graph. Task-local, so concurrent tasks never see
/// each other's setting and there is no global mutable state.
public enum GradMode {
    @TaskLocal public static var isEnabled: Bool = true
}

/// Runs `body` without recording gradients (inference, optimiser updates, evaluation).
@inlinable
public func noGrad<T>(_ body: () throws -> T) rethrows -> T {
    try GradMode.$isEnabled.withValue(false) { try body() }
}

/// Async variant of `noGrad`.
public func noGrad<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
    try await GradMode.$isEnabled.withValue(false) { try await body() }
}
