import Synchronization

/// Passes requests on and remembers them: how many Coder requests a tool call costs, and what they were.
public final class CountingTransport: HTTPTransport {
    public let upstream: any HTTPTransport
    private let log = Mutex<[CoderHTTPRequest]>([])

    public init(_ upstream: any HTTPTransport) { self.upstream = upstream }

    /// Every request so far, oldest first.
    public var requests: [CoderHTTPRequest] { log.withLock { $0 } }
    public var count: Int { log.withLock { $0.count } }
    public func reset() { log.withLock { $0.removeAll() } }

    public func send(_ request: CoderHTTPRequest) async throws -> CoderHTTPResponse {
        log.withLock { $0.append(request) }
        return try await upstream.send(request)
    }

    public func send<Consumer: ResponseBodyConsumer>(
        _ request: CoderHTTPRequest, streamingInto consumer: inout Consumer
    ) async throws
        -> CoderHTTPResponse
    {
        log.withLock { $0.append(request) }
        return try await upstream.send(request, streamingInto: &consumer)
    }
}
