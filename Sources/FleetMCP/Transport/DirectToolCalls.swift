import Foundation
import MCP
import Synchronization

/// Answers `tools/call` below the SDK (on stdio, and over HTTP as JSON or SSE, stateless or in a session): the
/// result is encoded once, straight from the tool's output (`ToolAnswer`), and never decoded.
///
/// Written here because swift-sdk 0.12.1 offers no way to hand over an encoded result: its `TypedRequestHandler`
/// encodes every result and decodes it again into `Value`, compiling a data-URL regex per string (about 25 µs
/// each; half of `list_agents`' time at 100 agents, BENCHMARKS.md). Everything else (initialize, lists, resources,
/// and any `tools/call` that `RPCFrame` did not read as one) still goes to the SDK, which then answers it as before.
///
/// Same behaviour as the SDK's path: progress notifications when the request has a progress token,
/// `notifications/cancelled` cancels the call and leaves it unanswered, an unknown tool is `-32602`.
public final class DirectToolCalls: Sendable {
    private let mcp: FleetMCPServer
    private let observer: (any ToolCallObserver)?
    private let running = Mutex<[ID: Task<Void, Never>]>([:])
    private let era = Mutex<ModernEra?>(nil)

    init(mcp: FleetMCPServer, observer: (any ToolCallObserver)?) {
        self.mcp = mcp
        self.observer = observer
    }

    /// MCP 2026-07-28 for this server's transports (`ModernEra`).
    public var modern: ModernEra {
        era.withLock { era in
            if let era { return era }
            let made = ModernEra(mcp: mcp, calls: self)
            era = made
            return made
        }
    }

    /// The encoded answer to `frame` if it is a `tools/call` request (one call, no progress: a JSON answer to an HTTP
    /// POST); nil for anything the SDK should answer.
    public func respond(to frame: RPCFrame, extra: [(key: String, json: Data)] = []) async -> Data? {
        guard let id = frame.id, let params = frame.toolCall else { return nil }
        let answer = Answer()
        await serve(id, params, progress: false, extra: extra) { answer.set($0) }
        return answer.data
    }

    /// The progress notifications and then the answer of `frame` if it is a `tools/call` request (an HTTP POST
    /// answered as SSE), each message passed through `framing`; nil for anything the SDK should answer. Ending the
    /// stream early cancels the call.
    public func stream(
        _ frame: RPCFrame, extra: [(key: String, json: Data)] = [], framing: @escaping @Sendable (Data) -> Data = { $0 }
    ) -> AsyncThrowingStream<Data, any Error>? {
        guard let id = frame.id, let params = frame.toolCall else { return nil }
        let (messages, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        let call = Task { [self] in
            await serve(id, params, progress: true, extra: extra) { continuation.yield(framing($0)) }
            continuation.finish()
        }
        continuation.onTermination = { reason in
            if case .cancelled = reason { call.cancel() }
        }
        return messages
    }

    /// Runs the call, sending its progress (when asked and wanted) and then its answer through `reply`; nothing
    /// more when it was cancelled (a cancelled request gets no answer, MCP cancellation).
    /// `extra`: the era's members of the result (`ModernEra`).
    func serve(
        _ id: ID, _ params: CallTool.Parameters, progress: Bool, extra: [(key: String, json: Data)] = [],
        reply: @escaping @Sendable (Data) -> Void
    ) async {
        let token = progress ? params._meta?.progressToken : nil
        let context = ToolContext { progress, total, message in
            guard let token else { return }
            let note = ProgressNotification.message(.init(progressToken: token, progress: progress, total: total, message: message))
            if let data = try? Self.encode(note) { reply(data) }
        }
        do {
            var answer = try await mcp.answer(params, observer: observer, context: context)
            answer.extra = extra
            guard !Task.isCancelled else { return }
            reply(answer.response(id: id))
        } catch is CancellationError {
            return
        } catch {
            let failure = error as? MCPError ?? .internalError(String(describing: error))
            reply(ModernEra.error(id, code: failure.code, failure.errorDescription ?? "error"))
        }
    }

    /// Takes `frame` if it is a `tools/call` request this type answers, sending the answer (and any progress)
    /// through `reply`; returns false for anything the SDK should see. A cancellation is noted, then left to the SDK too.
    public func take(_ frame: RPCFrame, reply: @escaping @Sendable (Data) -> Void) -> Bool {
        if let cancelled = frame.cancelledRequest {
            cancel(cancelled)
            return false
        }
        guard let id = frame.id, let params = frame.toolCall else { return false }
        return start(id, params, reply)
    }

    /// Cancels the running call with request id `id`, if any.
    public func cancel(_ id: ID) {
        running.withLock { $0.removeValue(forKey: id) }?.cancel()
        era.withLock { $0 }?.endListening(id)
    }

    /// Starts the call unless one with the same id is still running (that one is left to the SDK).
    private func start(_ id: ID, _ params: CallTool.Parameters, _ reply: @escaping @Sendable (Data) -> Void) -> Bool {
        running.withLock { calls in
            guard calls[id] == nil else { return false }
            calls[id] = Task { [self] in
                await serve(id, params, progress: true, reply: reply)
                finish(id)
            }
            return true
        }
    }

    private func finish(_ id: ID) {
        _ = running.withLock { $0.removeValue(forKey: id) }
    }

    /// The SDK's wire encoding (sorted keys, slashes unescaped), so answers read the same whichever path made them.
    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}

/// The one answer of a call made without progress.
private final class Answer: Sendable {
    private let value = Mutex<Data?>(nil)
    func set(_ data: Data) { value.withLock { $0 = data } }
    var data: Data? { value.withLock { $0 } }
}

extension FleetMCPServer {
    /// The fast path for this server's tool calls (see `DirectToolCalls`); `observer` hears of each call.
    public func directToolCalls(observer: (any ToolCallObserver)? = nil) -> DirectToolCalls {
        DirectToolCalls(mcp: self, observer: observer)
    }
}
