import FleetMCP
import Foundation
import Logging
import MCP
import Synchronization

/// Wraps one of the SDK's HTTP server transports so that progress notifications reach the client as SSE events on
/// the response of the POST that asked for them.
///
/// The SDK's stateless transport drops every notification, and its stateful one sends them to the session's GET
/// stream; the spec wants them on the request's own stream (2025-06-18 `basic/transports`). Everything else
/// (validation, request ids, responses, sessions, resumption) is the wrapped transport's.
actor ProgressRoutingTransport<Inner: Transport & HTTPContextProviding>: Transport, HTTPContextProviding {
    let inner: Inner
    nonisolated let routes = ProgressRoutes()
    /// The wrapped transport's incoming messages (the SDK's transports hand out one stream).
    private var incoming: AsyncThrowingStream<Data, any Error>?

    init(_ inner: Inner) { self.inner = inner }

    nonisolated let logger = Logger(label: "fleet-mcp.http.transport")

    func connect() async throws {
        try await inner.connect()
        incoming = await inner.receive()
    }

    func disconnect() async { await inner.disconnect() }

    /// The server calls this after `connect()`.
    func receive() -> AsyncThrowingStream<Data, any Error> {
        incoming ?? AsyncThrowingStream { $0.finish() }
    }

    func send(_ data: Data) async throws {
        // Only a POST that asked for progress has a route; without one, no message needs looking into.
        if !routes.isEmpty, case .message(let frame) = RPCFrame.read(data), frame.method == ProgressNotification.name,
            let token = frame.progressToken, routes.deliver(data, to: token)
        {
            return
        }
        try await inner.send(data)
    }

    func httpRequestContext(for id: ID) async -> HTTPRequest? { await inner.httpRequestContext(for: id) }
}

/// Progress token → the SSE stream of the POST that carries it.
final class ProgressRoutes: Sendable {
    private let streams = Mutex<[ProgressToken: AsyncThrowingStream<Data, any Error>.Continuation]>([:])

    func register(_ token: ProgressToken, _ continuation: AsyncThrowingStream<Data, any Error>.Continuation) {
        streams.withLock { $0[token] = continuation }
    }

    func remove(_ token: ProgressToken) { _ = streams.withLock { $0.removeValue(forKey: token) } }

    /// Whether no request is waiting for progress (then outgoing messages pass unread).
    var isEmpty: Bool { streams.withLock { $0.isEmpty } }

    /// Sends a progress notification as an SSE event on its request's stream; false when no stream wants it.
    func deliver(_ notification: Data, to token: ProgressToken) -> Bool {
        guard let continuation = streams.withLock({ $0[token] }) else { return false }
        continuation.yield(SSE.message(notification))
        return true
    }
}
