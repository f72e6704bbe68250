import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import MCP
import NIOCore
import ServiceLifecycle
import Synchronization
import UnixSignals

/// fleet-mcp over MCP Streamable HTTP, for a team: the MCP endpoint behind origin, authentication and per-user
/// concurrency guards, plus `/healthz`, `/readyz`, `/metrics` and the RFC 9728 protected-resource metadata.
///
/// Runs as a swift-service-lifecycle `ServiceGroup`: on SIGTERM (or ``RunningHTTPServer/shutdown()``) it stops
/// accepting connections, closes standing GET streams, lets accepted calls finish and returns.
public struct FleetHTTPServer: Sendable {
    public let options: HTTPServerOptions
    public let authenticator: Authenticator
    public let metrics: FleetMetrics
    let logger: Logger

    public init(
        options: HTTPServerOptions, authenticator: Authenticator, metrics: FleetMetrics,
        logger: Logger = Logger(label: "fleet-mcp.http")
    ) throws {
        guard authenticator.required || HTTPServerOptions.isLoopback(options.host) else {
            throw HTTPServerSetupError(
                "refusing to serve \(options.host) without authentication: pass --users FILE, --bearer-token-file F or --oauth-*, "
                    + "or bind a loopback address")
        }
        guard options.path.hasPrefix("/"), options.path.count > 1, !options.path.contains("?") else {
            throw HTTPServerSetupError("--path must be an absolute path such as /mcp")
        }
        self.options = options
        self.authenticator = authenticator
        self.metrics = metrics
        self.logger = logger
    }

    /// Starts listening; returns once the port is bound. With `stopOnSignals`, SIGTERM and SIGINT trigger a graceful shutdown.
    public func start(stopOnSignals: Bool = false) async throws -> RunningHTTPServer {
        let signals: [UnixSignal] = stopOnSignals ? [.sigterm, .sigint] : []
        let streams = StreamGuard(lifetime: options.maxStreamLifetime)
        let sessions = SessionStore(
            metrics: metrics, idleTimeout: options.sessionIdleTimeout, maxSessionsPerUser: options.maxSessionsPerUser, logger: logger)
        let router = makeRouter(streams: streams, sessions: sessions)
        let (cap, descriptors) = ConnectionLimits.fittingCap(options.maxConnections)
        if cap < options.maxConnections {
            logger.warning(
                "at most \(cap) connections (not \(options.maxConnections)): the descriptor limit is \(descriptors) (LimitNOFILE, ulimit -n)")
        }
        let metrics = self.metrics
        let limits = ConnectionLimits(maxConnections: cap, headerTimeout: options.headerTimeout, bodyTimeout: options.bodyTimeout) {
            metrics.rejected($0)
        }
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [limits.handler()], idleTimeout: TimeAmount(options.idleTimeout))
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var serverLogger = logger
        serverLogger.logLevel = .warning
        let app = Application(
            router: router, server: .http1(configuration: http1),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "fleet-mcp"),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: serverLogger)
        let closer = StreamCloser(streams: streams, logger: logger)
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: app), .init(service: closer, successTerminationBehavior: .ignore)],
            gracefulShutdownSignals: signals, cancellationSignals: [], logger: serverLogger)
        configuration.maximumGracefulShutdownDuration = options.shutdownTimeout
        let group = ServiceGroup(configuration: configuration)
        let task = Task {
            defer { portContinuation.finish() }
            try await group.run()
            await sessions.closeAll()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            try await task.value
            throw HTTPServerSetupError("the server stopped before it listened on \(options.host):\(options.port)")
        }
        let mode = options.stateful ? "stateful" : "stateless"
        let address = "http://\(Self.display(options.host)):\(port)\(options.path)"
        logger.notice("MCP Streamable HTTP (\(mode)) on \(address) for \(authenticator.users.count) user(s)")
        return RunningHTTPServer(port: port, group: group, task: task, streams: streams, connections: limits)
    }

    static func display(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }

    func makeRouter(streams: StreamGuard, sessions: SessionStore) -> Router<FleetHTTPContext> {
        let router = Router(context: FleetHTTPContext.self)
        let metrics = self.metrics
        let readiness = Readiness(users: authenticator.users, logger: logger)
        router.get("healthz") { _, _ in Self.json(["status": "ok"]) }
        router.get("readyz") { _, _ in
            let report = await readiness.check()
            return Self.json(report, status: report.ready ? .ok : .serviceUnavailable)
        }
        router.get("metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        let fixed = (authenticator.oauth?.settings.audience ?? options.publicURL).flatMap(URL.init(string:))
        let resource = ResourceIdentity(fixed: fixed, path: options.path)
        let authorizationServers = authenticator.oauth?.settings.authorizationServers ?? []
        if authenticator.required {
            // Behind the Host check too: without --public-url the document is made from `Host`, which must be ours.
            let wellKnown = router.group(RouterPath("/.well-known")).add(middleware: OriginGuard(options: options, metrics: metrics))
            for path in ["oauth-protected-resource", "oauth-protected-resource/**"] {
                wellKnown.get(RouterPath(path)) { request, _ in
                    let sdkRequest = HTTPBridge.headersOnly(request)
                    let metadata = resource.metadata(for: sdkRequest, authorizationServers: authorizationServers)
                    let validator = ProtectedResourceMetadataValidator(metadata: metadata)
                    guard let document = validator.validate(sdkRequest, context: HTTPValidationContext(httpMethod: "GET")) else {
                        throw HTTPError(.notFound)
                    }
                    return HTTPBridge.response(document, streams: streams, closesAtShutdown: false)
                }
            }
        }
        let endpoint = MCPRoutes(
            options: options, stateless: StatelessEndpoint(metrics: metrics), sessions: sessions, streams: streams,
            metrics: metrics)
        let mcp = router.group(RouterPath(options.path))
            .add(middleware: OriginGuard(options: options, metrics: metrics))
            .add(middleware: AuthGuard(authenticator: authenticator, resource: resource, metrics: metrics, logger: logger))
            .add(middleware: BodyGuard(maxBodyBytes: options.maxBodyBytes, streams: streams, metrics: metrics))
            .add(middleware: ConcurrencyGuard(metrics: metrics))
        for method in [HTTPTypes.HTTPRequest.Method.post, .get, .delete] {
            mcp.on("", method: method) { request, context in try await endpoint.handle(request, context: context) }
        }
        return router
    }

    static func json<T: Encodable>(_ value: T, status: HTTPTypes.HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let data = (try? JSONEncoder().encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// A server that is listening.
public final class RunningHTTPServer: Sendable {
    /// The bound port (useful with port 0).
    public let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    let streams: StreamGuard
    let connections: ConnectionLimits

    init(port: Int, group: ServiceGroup, task: Task<Void, any Error>, streams: StreamGuard, connections: ConnectionLimits) {
        self.port = port
        self.group = group
        self.task = task
        self.streams = streams
        self.connections = connections
    }

    /// Connections open now, and the cap.
    public var openConnections: Int { connections.open }
    public var maxConnections: Int { connections.maxConnections }

    /// Stops accepting, closes GET streams, waits for accepted calls, returns when the server has stopped.
    public func shutdown() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }

    /// Waits until the server stops (after a signal or `shutdown()`).
    public func wait() async throws { try await task.value }
}

/// Closes standing SSE streams when a graceful shutdown begins. It runs after the HTTP server in the group, so it is
/// told first, before the server waits for its connections.
struct StreamCloser: Service {
    let streams: StreamGuard
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        logger.notice("shutting down: no new connections; closing \(streams.open) standing stream(s); finishing accepted calls")
        streams.shutDown()
    }
}

/// A server that cannot start as configured.
public struct HTTPServerSetupError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
