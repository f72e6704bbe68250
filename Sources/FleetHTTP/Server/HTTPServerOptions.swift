import Foundation

/// How the HTTP server listens and what it accepts.
public struct HTTPServerOptions: Sendable {
    /// Address to bind (default loopback). A non-loopback address needs authentication.
    public var host: String
    public var port: Int
    /// The MCP endpoint (POST, and GET/DELETE when stateful).
    public var path: String
    /// Sessions (`MCP-Session-Id`, GET stream, DELETE, `Last-Event-ID`) instead of one server per request.
    public var stateful: Bool
    /// Extra `Host` values accepted (DNS-rebinding protection): `fleet.example.com`, `fleet.example.com:8443`.
    /// On a loopback bind, loopback names are always accepted; on another bind with none given, `Host` is not checked.
    public var allowedHosts: [String]
    /// Extra `Origin` values accepted, e.g. `https://app.example.com`; requests from any other origin get 403.
    public var allowedOrigins: [String]
    public var maxBodyBytes: Int
    /// Longest an SSE stream stays open.
    public var maxStreamLifetime: Duration
    /// Longest a graceful shutdown waits for accepted calls before cancelling them.
    public var shutdownTimeout: Duration
    /// This server's public URL (for the `resource_metadata` of 401 challenges without OAuth); default: from `Host`.
    public var publicURL: String?
    /// Stateful sessions unused this long are closed.
    public var sessionIdleTimeout: Duration
    /// Stateful sessions one user may have open at once (beyond it, `initialize` is refused with 429).
    public var maxSessionsPerUser: Int
    /// Connections open at once; beyond it a new connection closes the oldest one with no request under way
    /// (lowered at start to fit the descriptor limit).
    public var maxConnections: Int
    /// A request's head must be complete this long after the connection opened.
    public var headerTimeout: Duration
    /// A request's body must be complete this long after its head.
    public var bodyTimeout: Duration
    /// A kept-alive connection with no request for this long is closed.
    public var idleTimeout: Duration

    public init(
        host: String = "127.0.0.1", port: Int = 8080, path: String = "/mcp", stateful: Bool = false, allowedHosts: [String] = [],
        allowedOrigins: [String] = [], maxBodyBytes: Int = 1 << 20, maxStreamLifetime: Duration = .seconds(600),
        shutdownTimeout: Duration = .seconds(120), publicURL: String? = nil, sessionIdleTimeout: Duration = .seconds(1800),
        maxSessionsPerUser: Int = 8, maxConnections: Int = 4096, headerTimeout: Duration = .seconds(10),
        bodyTimeout: Duration = .seconds(30), idleTimeout: Duration = .seconds(60)
    ) {
        self.host = host
        self.port = port
        self.path = path
        self.stateful = stateful
        self.allowedHosts = allowedHosts
        self.allowedOrigins = allowedOrigins
        self.maxBodyBytes = maxBodyBytes
        self.maxStreamLifetime = maxStreamLifetime
        self.shutdownTimeout = shutdownTimeout
        self.publicURL = publicURL
        self.sessionIdleTimeout = sessionIdleTimeout
        self.maxSessionsPerUser = maxSessionsPerUser
        self.maxConnections = maxConnections
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
    }

    /// Whether `host` is a loopback address or name.
    public static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        return bare == "localhost" || bare == "::1" || bare.hasPrefix("127.")
    }

    /// `[HOST:]PORT` as `--http` takes it (`8080`, `0.0.0.0:8080`, `[::1]:8080`).
    public static func parseListen(_ text: String) -> (host: String, port: Int)? {
        if let port = Int(text) { return (port >= 0 && port < 65536) ? ("127.0.0.1", port) : nil }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), port >= 0, port < 65536 else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        return (host, port)
    }
}
