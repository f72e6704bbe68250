import Foundation
import MCP

/// Stateless Streamable HTTP: every POST gets its own SDK `Server` on its own `StatelessHTTPServerTransport`, so
/// consecutive requests of one client may land on any replica. A request that carries a progress token (and
/// accepts `text/event-stream`) is answered as SSE: its progress notifications, then the response.
struct StatelessEndpoint: Sendable {
    let metrics: FleetMetrics
    /// Accept, Content-Type and protocol version, checked before the request reaches a transport.
    let pipeline = StandardValidationPipeline(validators: [
        AcceptHeaderValidator(mode: .jsonOnly), ContentTypeValidator(), ProtocolVersionValidator(),
    ])

    func handle(_ request: HTTPRequest, user: FleetUser) async -> HTTPResponse {
        guard request.method.uppercased() == "POST" else {
            return .error(
                statusCode: 405, .invalidRequest("Method Not Allowed: this server is stateless (POST only)"),
                extraHeaders: [HTTPHeaderName.allow: "POST"])
        }
        let probe = MessageProbe.of(request.body)
        let context = HTTPValidationContext(httpMethod: "POST", isInitializationRequest: probe?.isInitialize ?? false)
        if let refusal = pipeline.validate(request, context: context) { return refusal }
        let accepts = (request.header(HTTPHeaderName.accept) ?? "").contains(SSE.contentType)
        // A tool call without progress: answered below the SDK, its result encoded once (`DirectToolCalls`).
        if let probe, probe.method == CallTool.name, probe.progressToken == nil || !accepts, let body = request.body,
            let answer = await user.mcp.directToolCalls(observer: metrics).respond(to: body)
        {
            return .data(answer, headers: [HTTPHeaderName.contentType: "application/json"])
        }

        let transport = ProgressRoutingTransport(StatelessHTTPServerTransport(validationPipeline: StandardValidationPipeline(validators: [])))
        let server = await user.makeServer(metrics: metrics)
        do { try await server.start(transport: transport) } catch {
            return .error(statusCode: 500, .internalError("Cannot start the MCP server: \(error)"))
        }
        guard let probe, probe.isRequest, let token = probe.progressToken, accepts else {
            let response = await transport.inner.handleRequest(request)
            await server.stop()
            return response
        }
        // Progress wanted: answer with an event stream at once; the response closes it.
        let (events, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        transport.routes.register(token, continuation)
        let exchange = Task {
            let response = await transport.inner.handleRequest(request)
            transport.routes.remove(token)
            if let body = response.bodyData { continuation.yield(SSE.message(body)) }
            continuation.finish()
            await server.stop()
        }
        continuation.onTermination = { reason in
            // The client went away mid-call: cancel the call as if it had sent notifications/cancelled.
            guard case .cancelled = reason, let id = probe.id else { return }
            Task {
                await Self.cancel(id, on: transport.inner)
                await server.stop()
                exchange.cancel()
            }
        }
        return .stream(events, headers: [HTTPHeaderName.contentType: SSE.contentType, HTTPHeaderName.cacheControl: "no-cache, no-transform"])
    }

    /// Hands the server a `notifications/cancelled` for request `id` (made by the SDK's types), as a client would send it.
    static func cancel(_ id: ID, on transport: StatelessHTTPServerTransport) async {
        let notification = CancelledNotification.message(.init(requestId: id, reason: "the client disconnected"))
        guard let body = try? JSONEncoder().encode(notification) else { return }
        let headers = [HTTPHeaderName.contentType: "application/json", HTTPHeaderName.accept: "application/json, text/event-stream"]
        _ = await transport.handleRequest(HTTPRequest(method: "POST", headers: headers, body: body))
    }
}
