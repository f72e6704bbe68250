/// Caches what never changes once it exists, e.g. the presets and parameters of a template version.
/// Concurrent misses for the same key share one fetch.
public actor ImmutableCache<Key: Hashable & Sendable, Value: Sendable> {
    private var values: [Key: Value] = [:]
    private var inFlight: [Key: Task<Value, any Error>] = [:]

    public init() {}

    public func value(for key: Key, fetch: @escaping @Sendable () async throws -> Value) async throws -> Value {
        if let value = values[key] { return value }
        if let task = inFlight[key] { return try await task.value }
        let task = Task { try await fetch() }
        inFlight[key] = task
        defer { inFlight[key] = nil }
        let value = try await task.value
        values[key] = value
        return value
    }

    public func cached(_ key: Key) -> Value? { values[key] }
}
