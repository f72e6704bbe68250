import FleetMCP
import Foundation
import Logging
import MCP
import Synchronization

/// The client's stdio transport, noting when requests leave and when responses arrive.
///
/// Latencies are taken from writing a request to the arrival of its response line, before the client decodes it:
/// the Swift SDK client decodes every result into `Value` twice, building a regex per string (about 25 µs each),
/// which would otherwise count against the server (a 50-agent `list_agents` page has over 500 strings).
actor TimedTransport: Transport {
    nonisolated let logger: Logger
    nonisolated let stamps = Stamps()
    private let inner: BlockingStdioTransport
    private let stream: AsyncThrowingStream<Data, any Error>
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    private var pump: Task<Void, Never>?

    init(input: Int32, output: Int32) {
        inner = BlockingStdioTransport(input: input, output: output)
        logger = inner.logger
        (stream, continuation) = AsyncThrowingStream.makeStream(of: Data.self, throwing: (any Error).self)
    }

    func connect() async throws {
        try await inner.connect()
        let upstream = await inner.receive()
        let (stamps, continuation) = (self.stamps, self.continuation)
        pump = Task {
            do {
                for try await frame in upstream {
                    let arrived = ContinuousClock.now
                    if Self.isResponse(frame) { stamps.responded(at: arrived) }
                    continuation.yield(frame)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
    }

    func disconnect() async {
        await inner.disconnect()
        pump?.cancel()
        continuation.finish()
    }

    func send(_ data: Data) async throws {
        stamps.sent(at: ContinuousClock.now)
        try await inner.send(data)
    }

    func receive() -> AsyncThrowingStream<Data, any Error> { stream }

    /// A JSON-RPC response: an object with an id and no method.
    static func isResponse(_ frame: Data) -> Bool {
        guard let object = try? JSONSerialization.jsonObject(with: frame) as? [String: Any] else { return false }
        return object["id"] != nil && object["method"] == nil
    }

    /// When the last frame left and when the last response arrived.
    final class Stamps: Sendable {
        private let state = Mutex<(sent: ContinuousClock.Instant?, responded: ContinuousClock.Instant?)>((nil, nil))
        func sent(at instant: ContinuousClock.Instant) { state.withLock { $0.sent = instant } }
        func responded(at instant: ContinuousClock.Instant) { state.withLock { $0.responded = instant } }
        var lastSent: ContinuousClock.Instant? { state.withLock { $0.sent } }
        var lastResponse: ContinuousClock.Instant? { state.withLock { $0.responded } }
    }
}
