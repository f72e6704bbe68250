import FleetMCP
import Foundation
import MCP

/// Stateless Streamable HTTP: every POST is read once (`HTTPFrames`); a `tools/call` is answered below the SDK
/// (`DirectToolCalls`: as SSE with its progress when it carries a progress token, else as JSON), anything else by a
/// fresh SDK `Server` on its own `StatelessHTTPServerTransport`, so consecutive requests of one client may land on
/// any replica.
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
        let read = HTTPFrames.read(request)
        let isInitialize = (try? read.get())?.isInitialize ?? false
        let context = HTTPValidationContext(httpMethod: "POST", isInitializationRequest: isInitialize)
        if let refusal = pipeline.validate(request, context: context) { return refusal }
        let frame: RPCFrame
        switch read {
        case .success(let read): frame = read
        case .failure(let refused): return refused.response
        }
        if let answer = await HTTPFrames.direct(frame, request, calls: user.mcp.directToolCalls(observer: metrics)) { return answer }

        let transport = StatelessHTTPServerTransport(validationPipeline: StandardValidationPipeline(validators: []))
        let server = await user.makeServer(metrics: metrics)
        do { try await server.start(transport: transport) } catch {
            return .error(statusCode: 500, .internalError("Cannot start the MCP server: \(error)"))
        }
        let response = await transport.handleRequest(request)
        await server.stop()
        return response
    }
}
