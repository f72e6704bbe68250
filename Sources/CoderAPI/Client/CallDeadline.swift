/// The deadline of the tool call a request belongs to.
///
/// A tool call sets it once (`CallDeadline.run(within:)`); every Coder request made inside it, retries included,
/// is cut to the time that is left, so a call never outlives its deadline however many requests it makes.
public enum CallDeadline {
    @TaskLocal public static var current: ContinuousClock.Instant?

    /// Runs `body` with a deadline `limit` from now (or the enclosing one, if that is sooner).
    public static func run<T: Sendable>(within limit: Duration, _ body: () async throws -> T) async rethrows -> T {
        let proposed = ContinuousClock.now + limit
        let deadline = current.map { min($0, proposed) } ?? proposed
        return try await $current.withValue(deadline, operation: body)
    }

    /// Time left before the deadline; nil when no deadline is set.
    public static var remaining: Duration? { current.map { $0 - ContinuousClock.now } }
}
