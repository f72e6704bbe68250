import Foundation
import HTTPTypes
import Hummingbird
import MCP
import NIOCore

/// The MCP endpoint: hands the request to the stateless endpoint or the session store,
/// and sends back what the SDK's transport answered.
struct MCPRoutes: Sendable {
    let options: HTTPServerOptions
    let stateless: StatelessEndpoint
    let sessions: SessionStore
    let streams: StreamGuard
    let metrics: FleetMetrics

    func handle(_ request: Request, context: FleetHTTPContext) async throws -> Response {
        guard let user = context.user else { throw HTTPError(.unauthorized) }
        var request = request
        // Already read by `BodyGuard`, before the user's concurrency permit was taken.
        let body: Data? = request.method == .post ? Data(buffer: try await request.collectBody(upTo: options.maxBodyBytes)) : nil
        let sdkRequest = HTTPBridge.request(request, body: body)
        let response = options.stateful ? await sessions.handle(sdkRequest, user: user) : await stateless.handle(sdkRequest, user: user)
        // A POST's stream is its call: it keeps the user's permit until it ends. A GET stream only waits for messages.
        let permit = context.permit
        let isGET = request.method == .get
        if isGET { permit?.release() }
        return HTTPBridge.response(response, streams: streams, closesAtShutdown: isGET) { permit?.release() }
    }
}
