import Foundation
import HTTPTypes
import Hummingbird
import MCP
import NIOCore

/// What the server's handlers carry along a request: Hummingbird's storage, the user the request acts as, and
/// its place under that user's concurrency cap.
public struct FleetHTTPContext: Hummingbird.RequestContext {
    public var coreContext: CoreRequestContextStorage
    var user: FleetUser?
    var permit: ConcurrencyLimiter.Permit?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}

/// Between Hummingbird's request and response types and the SDK's framework-agnostic ones.
enum HTTPBridge {
    /// The SDK's view of a request; `Host` comes from HTTP/1's `Host` (HTTPTypes keeps it as the authority).
    static func request(_ request: Request, body: Data?) -> MCPRequest {
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
        }
        if let authority = request.head.authority { headers["host"] = authority }
        return MCPRequest(method: request.method.rawValue, headers: headers, body: body, path: request.uri.path)
    }

    /// Headers only (for the guards, before the body is read).
    static func headersOnly(_ request: Request) -> MCPRequest { self.request(request, body: nil) }

    /// The SDK's response as Hummingbird's; a stream goes through `streams` (lifetime cap, shutdown) and `onEnd`
    /// runs when it ends (at once for other bodies).
    static func response(
        _ response: MCPResponse, streams: StreamGuard, closesAtShutdown: Bool,
        onEnd: @escaping @Sendable () -> Void = {}
    ) -> Response {
        var fields = HTTPFields()
        for (name, value) in response.headers {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        let status = HTTPTypes.HTTPResponse.Status(code: response.statusCode)
        switch response {
        case .stream(let events, _):
            let body = streams.bound(events, closesAtShutdown: closesAtShutdown, onEnd: onEnd)
            return Response(status: status, headers: fields, body: ResponseBody(asyncSequence: body))
        default:
            onEnd()
            let bytes = response.bodyData.map { ByteBuffer(bytes: $0) } ?? ByteBuffer()
            if !bytes.readableBytesView.isEmpty, fields[.contentType] == nil { fields[.contentType] = "application/json" }
            return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: bytes))
        }
    }
}
