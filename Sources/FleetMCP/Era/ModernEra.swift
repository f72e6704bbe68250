import Fleet
import Foundation
import MCP
import Synchronization

/// MCP 2026-07-28 beside the handshake era (2025-11-25 and older), decided per request: a request whose `_meta`
/// names `io.modelcontextprotocol/protocolVersion` (or a method only 2026-07-28 has) is answered here, everything
/// else by the SDK as before. No sessions and no `initialize`: each request carries its version and client
/// capabilities; results carry `resultType` and `serverInfo` in `_meta`; list and read results carry `ttlMs` and
/// `cacheScope`; `subscriptions/listen` streams the fleet:// resource changes.
///
/// Written here, thin and in its own folder, because swift-sdk 0.12.1 has no 2026-07-28 support: drop this folder
/// (and its two calls in the transports) when the SDK catches up. Tool calls go through `DirectToolCalls`, so they
/// cost what legacy ones cost.
public final class ModernEra: Sendable {
    public static let version = "2026-07-28"
    /// Every version served, newest first (the legacy ones through `initialize`).
    public static let supportedVersions = [version, "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]
    static let versionKey = "io.modelcontextprotocol/protocolVersion"
    static let capabilitiesKey = "io.modelcontextprotocol/clientCapabilities"
    static let serverInfoKey = "io.modelcontextprotocol/serverInfo"
    static let subscriptionKey = "io.modelcontextprotocol/subscriptionId"
    /// Methods only the handshake era has: answered -32601 in 2026-07-28.
    static let legacyOnly: Set<String> = [
        Initialize.name, "ping", "logging/setLevel", ResourceSubscribe.name, ResourceUnsubscribe.name, "notifications/initialized",
    ]

    /// How long a client may cache what never changes while the server runs (the tool list, templates, discovery).
    static let staticTTL = 3_600_000

    let mcp: FleetMCPServer
    let calls: DirectToolCalls
    private let listening = Mutex<[ID: Task<Void, Never>]>([:])

    /// `_meta` with `serverInfo`, encoded once.
    private let serverInfo: Data

    init(mcp: FleetMCPServer, calls: DirectToolCalls) {
        self.mcp = mcp
        self.calls = calls
        let server: Value = ["name": .string(FleetMCPServer.name), "title": .string(FleetMCPServer.title), "version": .string(mcp.version)]
        serverInfo = (try? DirectToolCalls.encode(Value.object([Self.serverInfoKey: server]))) ?? Data("{}".utf8)
    }

    /// Whether `frame` speaks 2026-07-28 (then `reply(to:)` answers it).
    public static func speaks(_ frame: RPCFrame) -> Bool {
        frame.meta?[versionKey] != nil || frame.method == Discover.name || frame.method == Listen.name
    }

    /// The answer to a 2026-07-28 message.
    public enum Reply: Sendable {
        /// One JSON-RPC message: a result, or an error with the HTTP status it earns (200 for tool errors).
        case message(Data, status: Int)
        /// Messages as they come (progress, then the response; or a subscription's notifications).
        case stream(AsyncThrowingStream<Data, any Error>)
        /// A notification: nothing to answer.
        case none
    }

    /// Answers a 2026-07-28 message on stdio, writing each message through `write`.
    public func serve(_ frame: RPCFrame, write: @escaping @Sendable (Data) -> Void) {
        Task {
            switch await reply(to: frame, streams: true) {
            case .message(let data, _): write(data)
            case .stream(let messages):
                do { for try await message in messages { write(message) } } catch {}
            case .none: break
            }
        }
    }

    /// Answers a 2026-07-28 message. `streams`: the client takes an event stream (HTTP `Accept`; always on stdio);
    /// `headers`: the HTTP request's headers, checked against the body (nil on stdio).
    public func reply(to frame: RPCFrame, streams: Bool, headers: [String: String]? = nil) async -> Reply {
        if let cancelled = frame.cancelledRequest { calls.cancel(cancelled) }
        guard let id = frame.id, let method = frame.method else { return .none }
        if let headers, let mismatch = HeaderCheck.mismatch(frame, headers: headers) {
            return .message(Self.error(id, code: -32020, "Header mismatch: \(mismatch)"), status: 400)
        }
        guard let version = frame.meta?[Self.versionKey] else {
            return .message(Self.error(id, code: -32602, "Invalid params: _meta needs \(Self.versionKey)."), status: 400)
        }
        guard version.stringValue == Self.version else {
            let data: Value = ["supported": .array(Self.supportedVersions.map { .string($0) }), "requested": version]
            let message = "Unsupported protocol version. Supported: \(Self.supportedVersions.joined(separator: ", "))."
            return .message(Self.error(id, code: -32022, message, data: data), status: 400)
        }
        guard frame.meta?[Self.capabilitiesKey]?.objectValue != nil else {
            return .message(Self.error(id, code: -32602, "Invalid params: _meta needs \(Self.capabilitiesKey) (an object)."), status: 400)
        }
        do {
            return try await answer(id, method, frame, streams: streams)
        } catch let error as MCPError {
            return .message(Self.error(id, code: error.code, error.errorDescription ?? "error"), status: 200)
        } catch {
            return .message(Self.error(id, code: -32603, "Internal error: \(error)"), status: 200)
        }
    }

    private func answer(_ id: ID, _ method: String, _ frame: RPCFrame, streams: Bool) async throws -> Reply {
        switch method {
        case Discover.name:
            let capabilities: Value = ["tools": ["listChanged": false], "resources": ["subscribe": true, "listChanged": true]]
            let body: Value = [
                "supportedVersions": .array(Self.supportedVersions.map { .string($0) }), "capabilities": capabilities,
                "instructions": .string(FleetMCPServer.instructions),
            ]
            return .message(result(id, try DirectToolCalls.encode(body), cache: (Self.staticTTL, "public")), status: 200)
        case ListTools.name:
            let tools = try DirectToolCalls.encode(ListTools.Result(tools: mcp.definitions))
            return .message(result(id, tools, cache: (Self.staticTTL, "private")), status: 200)
        case CallTool.name:
            guard frame.toolCall != nil else { throw MCPError.invalidParams("tools/call needs a tool name") }
            if streams, frame.progressToken != nil, let messages = calls.stream(frame, extra: resultMembers()) { return .stream(messages) }
            let answer = await calls.respond(to: frame, extra: resultMembers())
            return answer.map { .message($0, status: 200) } ?? .none
        case ListResources.name:
            let list = try DirectToolCalls.encode(try await FleetResources.list(mcp.fleet))
            return .message(result(id, list, cache: (0, "private")), status: 200)
        case ListResourceTemplates.name:
            let templates = try DirectToolCalls.encode(ListResourceTemplates.Result(templates: [FleetResources.template]))
            return .message(result(id, templates, cache: (Self.staticTTL, "public")), status: 200)
        case ReadResource.name:
            guard let uri = frame.params?["uri"]?.stringValue else { throw MCPError.invalidParams("resources/read needs a uri") }
            let read = try DirectToolCalls.encode(try await FleetResources.read(mcp.fleet, uri: uri))
            return .message(result(id, read, cache: (0, "private")), status: 200)
        case Listen.name:
            return .stream(listen(id, frame))
        default:
            let legacy = Self.legacyOnly.contains(method) ? " (\(method) is not part of 2026-07-28; it needs initialize)" : ""
            return .message(Self.error(id, code: -32601, "Method not found: \(Echo.cap(method, 64))\(legacy)"), status: 404)
        }
    }

    // MARK: - subscriptions/listen

    /// A subscription: its acknowledgment, then every change of the resources it asked for, until the client
    /// cancels it or goes away. One `FleetWatcher` serves every listener with one poll.
    private func listen(_ id: ID, _ frame: RPCFrame) -> AsyncThrowingStream<Data, any Error> {
        let filter = frame.params?["notifications"]?.objectValue ?? [:]
        let uris = (filter["resourceSubscriptions"]?.arrayValue ?? []).compactMap(\.stringValue).filter {
            (try? FleetResources.agentName(in: $0)) != nil
        }
        let listChanged = filter["resourcesListChanged"]?.boolValue == true
        var honored: [String: Value] = [:]
        if !uris.isEmpty { honored["resourceSubscriptions"] = .array(uris.map { .string($0) }) }
        if listChanged { honored["resourcesListChanged"] = true }
        let tag: Value = [Self.subscriptionKey: id.value]
        let (messages, continuation) = AsyncThrowingStream<Data, any Error>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let acknowledged: Value = [
            "jsonrpc": "2.0", "method": "notifications/subscriptions/acknowledged",
            "params": ["notifications": .object(honored), "_meta": tag],
        ]
        continuation.yield((try? DirectToolCalls.encode(acknowledged)) ?? Data())
        let watcher = mcp.watcher
        let key = UUID()
        let task = Task {
            await watcher.listen(key, uris: Set(uris), listChanged: listChanged) { event in
                let note: Value
                switch event {
                case .updated(let uri):
                    note = ["jsonrpc": "2.0", "method": .string(ResourceUpdatedNotification.name), "params": ["uri": .string(uri), "_meta": tag]]
                case .listChanged:
                    note = ["jsonrpc": "2.0", "method": .string(ResourceListChangedNotification.name), "params": ["_meta": tag]]
                }
                if let data = try? DirectToolCalls.encode(note) { continuation.yield(data) }
            }
            // Held until cancelled: the client closed the stream (HTTP) or sent notifications/cancelled (stdio).
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            await watcher.stopListening(key)
            continuation.finish()
        }
        listening.withLock { $0[id] = task }
        continuation.onTermination = { [weak self] _ in
            task.cancel()
            _ = self?.listening.withLock { $0.removeValue(forKey: id) }
        }
        return messages
    }

    /// Ends the subscription opened by request `id` (stdio's `notifications/cancelled`).
    func endListening(_ id: ID) { listening.withLock { $0.removeValue(forKey: id) }?.cancel() }

    /// Open subscriptions (tests: none leaked).
    public var listenerCount: Int { listening.withLock { $0.count } }

    // MARK: - Results and errors

    /// `_meta` (serverInfo) and `resultType`, as the spliced members of every result.
    func resultMembers(cache: (ttl: Int, scope: String)? = nil) -> [(key: String, json: Data)] {
        var members: [(key: String, json: Data)] = [("_meta", serverInfo)]
        if let cache {
            members.append(("cacheScope", JSONText.quoted(cache.scope)))
        }
        members.append(("resultType", Data(#""complete""#.utf8)))
        if let cache { members.append(("ttlMs", Data(String(cache.ttl).utf8))) }
        return members
    }

    /// The response to `id` whose result is the JSON object `body` with this era's members.
    func result(_ id: ID, _ body: Data, cache: (ttl: Int, scope: String)?) -> Data {
        var out = Data(#"{"id":"#.utf8)
        out.append(id.json)
        out.append(contentsOf: #","jsonrpc":"2.0","result":{"#.utf8)
        for (index, member) in resultMembers(cache: cache).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(JSONText.quoted(member.key))
            out.append(UInt8(ascii: ":"))
            out.append(member.json)
        }
        let inner = body.dropFirst().dropLast()
        if !inner.isEmpty {
            out.append(UInt8(ascii: ","))
            out.append(inner)
        }
        out.append(contentsOf: "}}".utf8)
        return out
    }

    static func error(_ id: ID?, code: Int, _ message: String, data: Value? = nil) -> Data {
        var error: [String: Value] = ["code": .int(code), "message": .string(message)]
        if let data { error["data"] = data }
        let response: Value = ["jsonrpc": "2.0", "id": id?.value ?? .null, "error": .object(error)]
        return (try? DirectToolCalls.encode(response)) ?? Data()
    }

    enum Discover { static let name = "server/discover" }
    enum Listen { static let name = "subscriptions/listen" }
}

extension ID {
    var value: Value {
        switch self {
        case .string(let text): .string(text)
        case .number(let number): .int(number)
        }
    }

    var json: Data {
        switch self {
        case .string(let text): JSONText.quoted(text)
        case .number(let number): Data(String(number).utf8)
        }
    }
}
