import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MCP
import NIOCore

/// Authenticates the bearer token and puts the user in the context. Refusals are the SDK's
/// `BearerTokenValidator`'s: 401 with `WWW-Authenticate: Bearer resource_metadata="…"` (and `error="invalid_token"`
/// for a token that proves nothing), 400 for a malformed header. Never logs or echoes a token.
struct AuthGuard: RouterMiddleware {
    typealias Context = FleetHTTPContext
    let authenticator: Authenticator
    let resource: ResourceIdentity
    let metrics: FleetMetrics
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let anonymous = authenticator.anonymous {
            context.user = anonymous
            return try await next(request, context)
        }
        let outcome: Authenticator.Outcome
        if let token = Self.bearer(request.headers[.authorization]) {
            outcome = await authenticator.authenticate(token)
        } else {
            outcome = .rejected(request.headers[.authorization] == nil ? .missing : .malformed)
        }
        let sdkRequest = HTTPBridge.headersOnly(request)
        let urls = resource.urls(for: sdkRequest)
        let validator = BearerTokenValidator(resourceMetadataURL: urls.metadata, resourceIdentifier: urls.resource) { _, _, _ in
            switch outcome {
            case .user(_, let info): return .valid(info)
            case .rejected(let rejection): return .invalidToken(errorDescription: rejection.description)
            }
        }
        if let refusal = validator.validate(sdkRequest, context: HTTPValidationContext(httpMethod: request.method.rawValue)) {
            let reason: Authenticator.Rejection
            switch outcome {
            case .rejected(let rejection): reason = rejection
            case .user: reason = refusal.statusCode == 400 ? .malformed : .audience
            }
            metrics.authFailure(reason)
            logger.info("refused \(request.method) \(request.uri.path): \(reason.rawValue) token")
            return HTTPBridge.response(refusal, streams: StreamGuard(lifetime: .zero), closesAtShutdown: false)
        }
        guard case .user(let user, _) = outcome else { throw HTTPError(.unauthorized) }
        context.user = user
        return try await next(request, context)
    }

    /// The token of `Authorization: Bearer <token>`; nil otherwise (the SDK's validator then says what is wrong).
    static func bearer(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.trimmingCharacters(in: .whitespaces).split(maxSplits: 1, whereSeparator: \.isWhitespace)
        guard parts.count == 2, parts[0].caseInsensitiveCompare("Bearer") == .orderedSame else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}

/// This server as an OAuth protected resource (RFC 9728): its identifier and where its metadata is published.
struct ResourceIdentity: Sendable {
    /// OAuth mode: the configured audience. Otherwise `--public-url`, else derived from each request's `Host`.
    let fixed: URL?
    let path: String

    /// The resource identifier and its metadata URL (`/.well-known/oauth-protected-resource` + the resource's path).
    func urls(for request: MCPRequest) -> (resource: URL, metadata: URL) {
        let resource =
            fixed ?? URL(string: "http://\(request.header(HTTPHeaderName.host) ?? "localhost")\(path)")
            ?? URL(string: "http://localhost\(path)")!
        var components = URLComponents(url: resource, resolvingAgainstBaseURL: false) ?? URLComponents()
        let resourcePath = components.path == "/" ? "" : components.path
        components.path = "/.well-known/oauth-protected-resource" + resourcePath
        components.query = nil
        components.fragment = nil
        return (resource, components.url ?? resource)
    }

    /// The metadata document the SDK serves (`authorization_servers` empty without OAuth).
    func metadata(for request: MCPRequest, authorizationServers: [URL]) -> OAuthProtectedResourceServerMetadata {
        OAuthProtectedResourceServerMetadata(
            resource: urls(for: request).resource.absoluteString, authorizationServers: authorizationServers,
            scopesSupported: nil)
    }
}

/// Reads a POST's body (at most `maxBodyBytes`) before the user's concurrency permit is taken, so a body that never
/// arrives holds no permit; the connection's body timeout (``ConnectionLimits``) ends such a read. A client that goes
/// away mid-body is counted as `body_incomplete`, not `body_too_large`.
struct BodyGuard: RouterMiddleware {
    typealias Context = FleetHTTPContext
    let maxBodyBytes: Int
    let streams: StreamGuard
    let metrics: FleetMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post else { return try await next(request, context) }
        var request = request
        do {
            _ = try await request.collectBody(upTo: maxBodyBytes)
        } catch is NIOTooManyBytesError {
            metrics.rejected("body_too_large")
            let refusal = MCPResponse.error(statusCode: 413, .invalidRequest("Request body larger than \(maxBodyBytes) bytes"))
            return HTTPBridge.response(refusal, streams: streams, closesAtShutdown: false)
        } catch {
            metrics.rejected("body_incomplete")
            let refusal = MCPResponse.error(statusCode: 400, .invalidRequest("The request body did not arrive whole"))
            return HTTPBridge.response(refusal, streams: streams, closesAtShutdown: false)
        }
        return try await next(request, context)
    }
}

/// Caps the requests each user has in flight (429 with `Retry-After` beyond it).
struct ConcurrencyGuard: RouterMiddleware {
    typealias Context = FleetHTTPContext
    let metrics: FleetMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let user = context.user else { throw HTTPError(.unauthorized) }
        guard let permit = user.limiter.acquire() else {
            metrics.rejected("too_many_requests")
            let message = "Too many requests in flight for this user (limit \(user.limiter.limit))"
            let refusal = MCPResponse.error(statusCode: 429, .invalidRequest(message), extraHeaders: ["Retry-After": "1"])
            return HTTPBridge.response(refusal, streams: StreamGuard(lifetime: .zero), closesAtShutdown: false)
        }
        var context = context
        context.permit = permit
        return try await next(request, context)
    }
}
