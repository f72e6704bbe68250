import FleetMCP
import Foundation
import Logging
import MCP

/// The transport of one `--stateful` session: the SDK's `StatefulHTTPServerTransport` (0.12.1) with a bounded
/// event store. The SDK's keeps every message it ever sent, for `Last-Event-ID`, until the session ends (2,000
/// `get_agent_history` calls took one session from 53 to 141 MiB); this one keeps only what resumption needs:
///
/// - a request's events are dropped once its response was handed to a live stream (nothing left to resume);
/// - what stays (responses of requests whose client went away, messages for a missing GET stream) is bounded by
///   `maxEvents` and `maxBytes`, oldest first.
///
/// Everything else (session id, validation, one GET stream, DELETE, priming events, replay) is as the SDK does it.
actor SessionTransport: Transport, HTTPContextProviding {
    nonisolated let logger = Logger(label: "fleet-mcp.http.session")
    private let validationPipeline: any HTTPRequestValidationPipeline
    private let retryInterval: Int?
    let maxEvents: Int
    let maxBytes: Int

    private var sessionID: String?
    private var terminated = false
    private var started = false
    private let incoming: AsyncThrowingStream<Data, any Error>
    private let incomingContinuation: AsyncThrowingStream<Data, any Error>.Continuation
    private var requestStreams: [String: AsyncThrowingStream<Data, any Error>.Continuation] = [:]
    private var httpContexts: [String: HTTPRequest] = [:]
    private var standalone: AsyncThrowingStream<Data, any Error>.Continuation?
    private let standaloneID = "_GET_stream"

    private struct StoredEvent {
        let streamID: String
        let eventID: String
        let message: Data?
    }

    private var events: [StoredEvent] = []
    private var storedBytes = 0
    private var counter = 0

    /// Events kept for resumption now, and their bytes.
    var stored: (events: Int, bytes: Int) { (events.count, storedBytes) }

    init(
        validationPipeline: any HTTPRequestValidationPipeline, retryInterval: Int? = nil, maxEvents: Int = 256,
        maxBytes: Int = 4 << 20
    ) {
        self.validationPipeline = validationPipeline
        self.retryInterval = retryInterval
        self.maxEvents = max(1, maxEvents)
        self.maxBytes = max(1024, maxBytes)
        (incoming, incomingContinuation) = AsyncThrowingStream<Data, any Error>.makeStream()
    }

    func connect() async throws {
        guard !started else { throw MCPError.internalError("Transport already started") }
        started = true
    }

    func disconnect() async { terminate() }

    func receive() -> AsyncThrowingStream<Data, any Error> { incoming }

    func send(_ data: Data) async throws {
        guard !terminated else { throw MCPError.connectionClosed }
        guard case .message(let probe) = RPCFrame.read(data) else { return }
        if probe.method == nil, let id = probe.id {
            routeResponse(data, requestID: id.description)
        } else {
            let eventID = store(standaloneID, data)
            standalone?.yield(Self.event(data, id: eventID))
        }
    }

    func httpRequestContext(for id: ID) -> HTTPRequest? { httpContexts[id.description] }

    func handleRequest(_ request: HTTPRequest) async -> HTTPResponse {
        if terminated { return .error(statusCode: 404, .invalidRequest("Not Found: Session has been terminated"), sessionID: sessionID) }
        switch request.method.uppercased() {
        case "POST": return handlePost(request)
        case "GET": return handleGet(request)
        case "DELETE":
            let context = HTTPValidationContext(httpMethod: "DELETE", sessionID: sessionID)
            if let refusal = validationPipeline.validate(request, context: context) { return refusal }
            terminate()
            return .ok(headers: sessionHeaders())
        default:
            return .error(
                statusCode: 405, .invalidRequest("Method Not Allowed"), sessionID: sessionID,
                extraHeaders: [HTTPHeaderName.allow: "GET, POST, DELETE"])
        }
    }

    private func handlePost(_ request: HTTPRequest) -> HTTPResponse {
        guard let body = request.body, !body.isEmpty else { return .error(statusCode: 400, .parseError("Empty request body"), sessionID: sessionID) }
        guard case .message(let probe) = RPCFrame.read(body), probe.method != nil || probe.id != nil else {
            return .error(statusCode: 400, .parseError("Invalid JSON-RPC message"), sessionID: sessionID)
        }
        let context = HTTPValidationContext(httpMethod: "POST", sessionID: sessionID, isInitializationRequest: probe.isInitialize)
        if let refusal = validationPipeline.validate(request, context: context) { return refusal }
        if probe.isInitialize {
            guard sessionID == nil else {
                return .error(statusCode: 400, .invalidRequest("Bad Request: Session already initialized"), sessionID: sessionID)
            }
            sessionID = UUID().uuidString
        }
        guard probe.isRequest, let id = probe.id else {
            incomingContinuation.yield(body)
            return .accepted(headers: sessionHeaders())
        }
        let requestID = id.description
        let (stream, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        requestStreams[requestID] = continuation
        httpContexts[requestID] = request
        prime(requestID, continuation, version: Self.protocolVersion(body, request))
        incomingContinuation.yield(body)
        return .stream(stream, headers: streamHeaders())
    }

    private func handleGet(_ request: HTTPRequest) -> HTTPResponse {
        let context = HTTPValidationContext(httpMethod: "GET", sessionID: sessionID)
        if let refusal = validationPipeline.validate(request, context: context) { return refusal }
        let version = request.header(HTTPHeaderName.protocolVersion) ?? Version.latest
        if let last = request.header(HTTPHeaderName.lastEventID) {
            guard let index = events.firstIndex(where: { $0.eventID == last }) else {
                return .error(statusCode: 400, .invalidRequest("Invalid Last-Event-ID"), sessionID: sessionID)
            }
            let streamID = events[index].streamID
            let (stream, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
            for event in events[(index + 1)...] where event.streamID == streamID {
                if let message = event.message { continuation.yield(Self.event(message, id: event.eventID)) }
            }
            if streamID == standaloneID { standalone = continuation } else { requestStreams[streamID] = continuation }
            prime(streamID, continuation, version: version)
            return .stream(stream, headers: streamHeaders())
        }
        guard standalone == nil else {
            return .error(statusCode: 409, .invalidRequest("Conflict: Only one SSE stream is allowed per session"), sessionID: sessionID)
        }
        let (stream, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        standalone = continuation
        prime(standaloneID, continuation, version: version)
        return .stream(stream, headers: streamHeaders())
    }

    /// The response ends its request's stream; delivered to a live stream, its events are no longer needed.
    private func routeResponse(_ data: Data, requestID: String) {
        let eventID = store(requestID, data)
        let continuation = requestStreams.removeValue(forKey: requestID)
        httpContexts.removeValue(forKey: requestID)
        guard let continuation else { return }
        let result = continuation.yield(Self.event(data, id: eventID))
        continuation.finish()
        if case .enqueued = result { drop(requestID) }
    }

    private func prime(_ streamID: String, _ continuation: AsyncThrowingStream<Data, any Error>.Continuation, version: String) {
        // Priming events (empty data) are only safe for clients of 2025-03-26 and later.
        guard version >= "2025-03-26" else { return }
        let id = store(streamID, nil)
        var event = "id: \(id)\n"
        if let retryInterval { event += "retry: \(retryInterval)\n" }
        continuation.yield(Data((event + "data: \n\n").utf8))
    }

    private func store(_ streamID: String, _ message: Data?) -> String {
        counter += 1
        let id = "\(streamID)_\(counter)"
        events.append(StoredEvent(streamID: streamID, eventID: id, message: message))
        storedBytes += message?.count ?? 0
        var excess = 0
        var bytes = storedBytes
        while events.count - excess > maxEvents || (bytes > maxBytes && events.count - excess > 1) {
            bytes -= events[excess].message?.count ?? 0
            excess += 1
        }
        if excess > 0 {
            events.removeFirst(excess)
            storedBytes = bytes
        }
        return id
    }

    private func drop(_ streamID: String) {
        events.removeAll { event in
            guard event.streamID == streamID else { return false }
            storedBytes -= event.message?.count ?? 0
            return true
        }
    }

    static func event(_ message: Data, id: String) -> Data {
        var event = Data("id: \(id)\nevent: message\ndata: ".utf8)
        event.append(message)
        event.append(contentsOf: Data("\n\n".utf8))
        return event
    }

    private static func protocolVersion(_ body: Data, _ request: HTTPRequest) -> String {
        struct Initialize: Decodable {
            struct Params: Decodable { var protocolVersion: String? }
            var method: String?
            var params: Params?
        }
        if let message = try? JSONDecoder().decode(Initialize.self, from: body), message.method == "initialize",
            let version = message.params?.protocolVersion
        {
            return version
        }
        return request.header(HTTPHeaderName.protocolVersion) ?? Version.latest
    }

    private func sessionHeaders() -> [String: String] { sessionID.map { [HTTPHeaderName.sessionID: $0] } ?? [:] }

    private func streamHeaders() -> [String: String] {
        var headers = sessionHeaders()
        headers[HTTPHeaderName.contentType] = SSE.contentType
        headers[HTTPHeaderName.cacheControl] = "no-cache, no-transform"
        headers[HTTPHeaderName.connection] = "keep-alive"
        return headers
    }

    private func terminate() {
        guard !terminated else { return }
        terminated = true
        for continuation in requestStreams.values { continuation.finish() }
        requestStreams.removeAll()
        httpContexts.removeAll()
        standalone?.finish()
        standalone = nil
        events.removeAll()
        storedBytes = 0
        incomingContinuation.finish()
    }
}
