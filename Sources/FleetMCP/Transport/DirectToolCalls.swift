import Foundation
import MCP
import Synchronization

/// Answers `tools/call` below the SDK (on stdio, and for stateless HTTP POSTs): the result is encoded once, straight
/// from the tool's output.
///
/// Written here because swift-sdk 0.12.1 offers no way to hand over an encoded result: its `TypedRequestHandler`
/// encodes every result and decodes it again into `Value`, compiling a data-URL regex per string (about 25 µs
/// each; half of `list_agents`' time at 100 agents, BENCHMARKS.md). Everything else (initialize, lists, resources,
/// and any `tools/call` this type cannot read) still goes to the SDK, which then answers it as before.
///
/// Same behaviour as the SDK's path: progress notifications when the request has a progress token,
/// `notifications/cancelled` cancels the call and leaves it unanswered, an unknown tool is `-32602`.
public final class DirectToolCalls: Sendable {
    private let mcp: FleetMCPServer
    private let observer: (any ToolCallObserver)?
    private let running = Mutex<[ID: Task<Void, Never>]>([:])

    init(mcp: FleetMCPServer, observer: (any ToolCallObserver)?) {
        self.mcp = mcp
        self.observer = observer
    }

    /// The encoded answer to `message` if it is a `tools/call` request this type reads (one call, no progress, no
    /// cancellation: a stateless HTTP POST); nil for anything the SDK should answer.
    public func respond(to message: Data) async -> Data? {
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: message), envelope.jsonrpc == "2.0",
            envelope.method == CallTool.name, let id = envelope.id, let params = envelope.call
        else { return nil }
        return try? Self.encode(await answer(id, params, context: ToolContext()))
    }

    /// Runs the call; nil when it was cancelled (a cancelled request gets no answer, MCP cancellation).
    private func answer(_ id: ID, _ params: CallTool.Parameters, context: ToolContext) async -> Response<CallTool>? {
        do {
            return CallTool.response(id: id, result: try await mcp.call(params, observer: observer, context: context))
        } catch is CancellationError {
            return nil
        } catch {
            return CallTool.response(id: id, error: error as? MCPError ?? .internalError(String(describing: error)))
        }
    }

    /// Takes `frame` if it is a `tools/call` request this type answers, sending the answer (and any progress)
    /// through `reply`; returns false for anything the SDK should see. A cancellation is noted, then left to the SDK too.
    public func take(_ frame: Data, reply: @escaping @Sendable (Data) -> Void) -> Bool {
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: frame), envelope.jsonrpc == "2.0" else { return false }
        switch envelope.method {
        case CancelledNotification.name:
            if envelope.id == nil, let id = envelope.cancelled?.requestId { running.withLock { $0.removeValue(forKey: id) }?.cancel() }
            return false
        case CallTool.name:
            guard let id = envelope.id, let params = envelope.call else { return false }
            return start(id, params, reply)
        default:
            return false
        }
    }

    /// Starts the call unless one with the same id is still running (that one is left to the SDK).
    private func start(_ id: ID, _ params: CallTool.Parameters, _ reply: @escaping @Sendable (Data) -> Void) -> Bool {
        running.withLock { calls in
            guard calls[id] == nil else { return false }
            let task = Task { [self] in
                let token = params._meta?.progressToken
                let context = ToolContext { progress, total, message in
                    guard let token else { return }
                    let note = ProgressNotification.message(.init(progressToken: token, progress: progress, total: total, message: message))
                    if let data = try? Self.encode(note) { reply(data) }
                }
                let response = await answer(id, params, context: context)
                finish(id)
                guard let response, !Task.isCancelled else { return }
                if let data = try? Self.encode(response) { reply(data) }
            }
            calls[id] = task
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

    /// The parts of a message this type looks at.
    struct Envelope: Decodable {
        struct Cancelled: Decodable { var requestId: ID? }
        var jsonrpc: String
        var id: ID?
        var method: String?
        var call: CallTool.Parameters?
        var cancelled: Cancelled?

        enum CodingKeys: String, CodingKey { case jsonrpc, id, method, params }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            jsonrpc = try container.decode(String.self, forKey: .jsonrpc)
            id = try container.decodeIfPresent(ID.self, forKey: .id)
            method = try container.decodeIfPresent(String.self, forKey: .method)
            switch method {
            case CallTool.name: call = try? container.decodeIfPresent(CallTool.Parameters.self, forKey: .params)
            case CancelledNotification.name: cancelled = try? container.decodeIfPresent(Cancelled.self, forKey: .params)
            default: break
            }
        }
    }
}

extension FleetMCPServer {
    /// The fast path for this server's tool calls (see `DirectToolCalls`); `observer` hears of each call.
    public func directToolCalls(observer: (any ToolCallObserver)? = nil) -> DirectToolCalls {
        DirectToolCalls(mcp: self, observer: observer)
    }
}
