import HTTPTypes
import Hummingbird
import MCP

/// DNS-rebinding and cross-origin protection with the SDK's `OriginValidator`: a foreign `Origin` gets 403 (as
/// the spec requires), a `Host` outside the allow-list 421.
struct OriginGuard: RouterMiddleware {
    typealias Context = FleetHTTPContext
    let validator: OriginValidator
    /// False on a non-loopback bind without `--allowed-host`: the proxy in front decides which names reach us.
    let checksHost: Bool
    let metrics: FleetMetrics

    init(options: HTTPServerOptions, metrics: FleetMetrics) {
        var hosts: [String] = []
        var origins: [String] = []
        for name in ["127.0.0.1", "localhost", "[::1]"] {
            hosts += [name, "\(name):*"]
            origins += ["http://\(name)", "http://\(name):*", "https://\(name)", "https://\(name):*"]
        }
        // Host names are case-insensitive (RFC 9110 §4.2.3): both sides are compared in lower case.
        for host in options.allowedHosts.map({ $0.lowercased() }) {
            let hasPort = host.hasSuffix("]") ? false : host.contains(":")
            hosts += hasPort ? [host] : [host, "\(host):*"]
            origins += ["https://\(host)", "http://\(host)"] + (hasPort ? [] : ["https://\(host):*", "http://\(host):*"])
        }
        origins += options.allowedOrigins.map { $0.lowercased() }
        validator = OriginValidator(allowedHosts: hosts, allowedOrigins: origins)
        checksHost = HTTPServerOptions.isLoopback(options.host) || !options.allowedHosts.isEmpty
        self.metrics = metrics
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var headers: [String: String] = [:]
        if checksHost, let host = request.head.authority { headers[HTTPHeaderName.host] = host.lowercased() }
        if let origin = request.headers[.origin] { headers[HTTPHeaderName.origin] = origin.lowercased() }
        let probe = MCPRequest(method: request.method.rawValue, headers: headers)
        if let refusal = validator.validate(probe, context: HTTPValidationContext(httpMethod: request.method.rawValue)) {
            metrics.rejected(refusal.statusCode == 403 ? "origin" : "host")
            return HTTPBridge.response(refusal, streams: StreamGuard(lifetime: .zero), closesAtShutdown: false)
        }
        return try await next(request, context)
    }
}
