import Foundation
import Logging
import MCP

/// Stateful Streamable HTTP (`--stateful`): one `SessionTransport` (the SDK's stateful transport with a bounded event
/// store) and `Server` per session
/// (`MCP-Session-Id`, the GET stream, DELETE, `Last-Event-ID` resumption are the SDK's). A session belongs to the
/// user who opened it: another user's request with its id is answered 404, as for an unknown session.
actor SessionStore {
    struct Session {
        let user: FleetUser
        let transport: ProgressRoutingTransport<SessionTransport>
        let server: Server
        var lastUsed: ContinuousClock.Instant
    }

    private var sessions: [String: Session] = [:]
    let metrics: FleetMetrics
    let idleTimeout: Duration
    let maxSessions: Int
    /// Sessions one user may hold, so that one user cannot take every session of the server.
    let maxSessionsPerUser: Int
    let logger: Logger

    init(
        metrics: FleetMetrics, idleTimeout: Duration = .seconds(1800), maxSessions: Int = 1000, maxSessionsPerUser: Int = 8,
        logger: Logger
    ) {
        self.metrics = metrics
        self.idleTimeout = idleTimeout
        self.maxSessions = maxSessions
        self.maxSessionsPerUser = maxSessionsPerUser
        self.logger = logger
    }

    var count: Int { sessions.count }

    /// Events the sessions keep for `Last-Event-ID` resumption, and their bytes.
    func storedEvents() async -> (events: Int, bytes: Int) {
        var total = (events: 0, bytes: 0)
        for session in sessions.values {
            let stored = await session.transport.inner.stored
            total = (total.events + stored.events, total.bytes + stored.bytes)
        }
        return total
    }

    func handle(_ request: HTTPRequest, user: FleetUser) async -> HTTPResponse {
        guard let id = request.header(HTTPHeaderName.sessionID) else { return await open(request, user: user) }
        guard var session = sessions[id], session.user === user else {
            return .error(statusCode: 404, .invalidRequest("Not Found: Invalid or expired session ID"))
        }
        session.lastUsed = .now
        sessions[id] = session
        let response = await Self.forward(request, to: session.transport)
        if request.method.uppercased() == "DELETE", response.statusCode == 200 { await close(id) }
        return response
    }

    /// A request without a session id: only `initialize` opens one.
    private func open(_ request: HTTPRequest, user: FleetUser) async -> HTTPResponse {
        guard request.method.uppercased() == "POST", MessageProbe.of(request.body)?.isInitialize == true else {
            return .error(statusCode: 400, .invalidRequest("Bad Request: Missing \(HTTPHeaderName.sessionID) header (send initialize first)"))
        }
        reapIdle()
        guard sessions.count < maxSessions else {
            return .error(statusCode: 503, .internalError("Too many open sessions; close one (DELETE) or use the stateless mode"))
        }
        guard sessions.values.count(where: { $0.user === user }) < maxSessionsPerUser else {
            metrics.rejected("too_many_sessions")
            return .error(
                statusCode: 429,
                .invalidRequest("This user has \(maxSessionsPerUser) sessions open (the limit); close one (DELETE) or wait for it to expire"),
                extraHeaders: ["Retry-After": "60"])
        }
        let pipeline = StandardValidationPipeline(validators: [
            AcceptHeaderValidator(mode: .sseRequired), ContentTypeValidator(), ProtocolVersionValidator(), SessionValidator(),
        ])
        let transport = ProgressRoutingTransport(SessionTransport(validationPipeline: pipeline, retryInterval: 1000))
        let server = await user.makeServer(metrics: metrics)
        do { try await server.start(transport: transport) } catch {
            return .error(statusCode: 500, .internalError("Cannot start the MCP server: \(error)"))
        }
        let response = await Self.forward(request, to: transport)
        guard let id = response.headers[HTTPHeaderName.sessionID] else {
            await server.stop()
            return response
        }
        sessions[id] = Session(user: user, transport: transport, server: server, lastUsed: .now)
        logger.info("session opened for \(user.name) (\(sessions.count) open)")
        return response
    }

    /// Passes a request to the session's transport; a POST with a progress token gets its progress on its own stream.
    static func forward(_ request: HTTPRequest, to transport: ProgressRoutingTransport<SessionTransport>) async -> HTTPResponse {
        guard request.method.uppercased() == "POST", let probe = MessageProbe.of(request.body), probe.isRequest,
            let token = probe.progressToken
        else { return await transport.inner.handleRequest(request) }
        let (merged, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        transport.routes.register(token, continuation)
        let response = await transport.inner.handleRequest(request)
        guard case .stream(let events, let headers) = response else {
            transport.routes.remove(token)
            return response
        }
        let pump = Task {
            do {
                for try await event in events { continuation.yield(event) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
            transport.routes.remove(token)
        }
        continuation.onTermination = { _ in pump.cancel() }
        return .stream(merged, headers: headers)
    }

    private func close(_ id: String) async {
        guard let session = sessions.removeValue(forKey: id) else { return }
        await session.server.stop()
        logger.info("session of \(session.user.name) closed (\(sessions.count) open)")
    }

    /// Closes sessions unused for longer than the idle timeout.
    func reapIdle() {
        let cutoff = ContinuousClock.now - idleTimeout
        for (id, session) in sessions where session.lastUsed < cutoff {
            sessions.removeValue(forKey: id)
            Task { await session.server.stop() }
        }
    }

    /// Ends every session (at shutdown, after the last request was answered).
    func closeAll() async {
        let all = sessions
        sessions.removeAll()
        for session in all.values { await session.server.stop() }
    }
}
