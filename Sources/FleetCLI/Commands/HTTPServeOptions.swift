import ArgumentParser
import FleetHTTP
import Foundation

/// `serve --http …`: MCP Streamable HTTP for a team, with per-user identity.
struct HTTPServeOptions: ParsableArguments {
    @Option(
        name: .customLong("http"),
        help: ArgumentHelp(
            "Serve MCP Streamable HTTP on [HOST:]PORT instead of stdio (host default 127.0.0.1).",
            valueName: "[host:]port"))
    var listen: String?

    @Option(name: .customLong("path"), help: "The MCP endpoint's path.")
    var path: String = "/mcp"

    @Option(name: .customLong("users"), help: "Users file (YAML): name, token_sha256, coder_token_file or coder_token_env, read_only, tools.")
    var usersFile: String?

    @Option(
        name: .customLong("bearer-token-file"),
        help: "Single user: the bearer token clients send, read from this file; acts with the server's own Coder credential.")
    var bearerTokenFile: String?

    @Option(name: .customLong("oauth-issuer"), help: "OAuth 2.1 resource-server mode: the issuer (iss) of accepted JWT access tokens.")
    var oauthIssuer: String?

    @Option(name: .customLong("oauth-audience"), help: "This server's URL: the audience (aud) tokens must carry, e.g. https://fleet.example.com/mcp.")
    var oauthAudience: String?

    @Option(name: .customLong("jwks"), help: "The issuer's signing keys: a JWKS file or an http(s) URL.")
    var jwks: String?

    @Option(
        name: .customLong("oauth-claim"),
        help:
            "The claim naming the user (matched with oauth_subject or name in --users; default: email, unless email_verified is false)."
    )
    var oauthClaim: String?

    @Flag(name: .customLong("stateful"), help: "Sessions (MCP-Session-Id, GET stream, DELETE, Last-Event-ID) instead of stateless requests.")
    var stateful = false

    @Option(name: .customLong("allowed-host"), help: "A Host header value to accept besides loopback names (repeatable; DNS-rebinding protection).")
    var allowedHosts: [String] = []

    @Option(name: .customLong("allowed-origin"), help: "An Origin to accept besides loopback and allowed hosts (repeatable); others get 403.")
    var allowedOrigins: [String] = []

    @Option(name: .customLong("public-url"), help: "This server's public URL, for the resource_metadata of 401 challenges (default: from Host).")
    var publicURL: String?

    @Option(name: .customLong("max-body-bytes"), help: "Largest request body accepted.")
    var maxBodyBytes: Int = 1 << 20

    @Option(name: .customLong("max-concurrent-per-user"), help: "Requests one user may have in flight at once (more get 429).")
    var maxConcurrentPerUser: Int = 16

    @Option(name: .customLong("max-stream-seconds"), help: "Longest an SSE stream stays open.")
    var maxStreamSeconds: Double = 600

    @Option(name: .customLong("shutdown-timeout"), help: "On SIGTERM, seconds to let accepted calls finish before cancelling them.")
    var shutdownTimeout: Double = 120

    @Option(
        name: .customLong("max-connections"), help: "Connections open at once (lowered to fit the descriptor limit); beyond it, idle ones are closed."
    )
    var maxConnections: Int = 4096

    @Option(name: .customLong("header-timeout"), help: "Seconds a new connection has to send a whole request head.")
    var headerTimeout: Double = 10

    @Option(name: .customLong("body-timeout"), help: "Seconds a request has to send its whole body after its head.")
    var bodyTimeout: Double = 30

    @Option(name: .customLong("idle-timeout"), help: "Seconds a kept-alive connection may wait for its next request.")
    var idleTimeout: Double = 60

    @Option(name: .customLong("session-idle-timeout"), help: "With --stateful: seconds an unused session lives.")
    var sessionIdleTimeout: Double = 1800

    @Option(name: .customLong("max-sessions-per-user"), help: "With --stateful: sessions one user may have open (more get 429).")
    var maxSessionsPerUser: Int = 8

    @Option(name: .customLong("port-file"), help: "Write the bound port to this file once listening (with --http …:0).")
    var portFile: String?

    /// Every check of the flags alone (their combinations and ranges), before anything starts.
    func validate() throws {
        guard listen != nil else {
            let httpOnly: [(String, Bool)] = [
                ("--users", usersFile != nil), ("--bearer-token-file", bearerTokenFile != nil), ("--oauth-issuer", oauthIssuer != nil),
                ("--oauth-audience", oauthAudience != nil), ("--jwks", jwks != nil), ("--oauth-claim", oauthClaim != nil),
                ("--stateful", stateful), ("--port-file", portFile != nil), ("--allowed-host", !allowedHosts.isEmpty),
                ("--allowed-origin", !allowedOrigins.isEmpty), ("--public-url", publicURL != nil),
            ]
            if let (flag, _) = httpOnly.first(where: \.1) { throw ValidationError("\(flag) needs --http [HOST:]PORT.") }
            return
        }
        if usersFile != nil, bearerTokenFile != nil { throw ValidationError("--users and --bearer-token-file exclude each other.") }
        if oauthIssuer != nil, usersFile == nil { throw ValidationError("--oauth-issuer needs --users: it maps each token's claim to a user.") }
        guard maxBodyBytes >= 1024 else { throw ValidationError("--max-body-bytes must be at least 1024.") }
        guard (1...10_000).contains(maxConcurrentPerUser) else { throw ValidationError("--max-concurrent-per-user must be 1–10000.") }
        // Checked before any conversion to whole milliseconds: "inf" or 1e300 must be refused, not trap.
        guard maxStreamSeconds.isFinite, (1...86_400).contains(maxStreamSeconds) else {
            throw ValidationError("--max-stream-seconds must be between 1 and 86400.")
        }
        guard shutdownTimeout.isFinite, (0...3600).contains(shutdownTimeout) else {
            throw ValidationError("--shutdown-timeout must be between 0 and 3600.")
        }
        guard (16...1_000_000).contains(maxConnections) else { throw ValidationError("--max-connections must be 16–1000000.") }
        guard (1...10_000).contains(maxSessionsPerUser) else { throw ValidationError("--max-sessions-per-user must be 1–10000.") }
        for (flag, value) in [
            ("--header-timeout", headerTimeout), ("--body-timeout", bodyTimeout), ("--idle-timeout", idleTimeout),
            ("--session-idle-timeout", sessionIdleTimeout),
        ] {
            guard value.isFinite, (0.1...86_400).contains(value) else { throw ValidationError("\(flag) must be between 0.1 and 86400 seconds.") }
        }
    }

    /// The server options these flags describe.
    func serverOptions() throws -> HTTPServerOptions {
        guard let listen, let (host, port) = HTTPServerOptions.parseListen(listen) else {
            throw ValidationError("--http takes [HOST:]PORT, e.g. 8080, 127.0.0.1:8080 or 0.0.0.0:8080.")
        }
        try validate()
        return HTTPServerOptions(
            host: host, port: port, path: path, stateful: stateful, allowedHosts: allowedHosts, allowedOrigins: allowedOrigins,
            maxBodyBytes: maxBodyBytes, maxStreamLifetime: .milliseconds(Int64(maxStreamSeconds * 1000)),
            shutdownTimeout: .milliseconds(Int64(shutdownTimeout * 1000)), publicURL: publicURL,
            sessionIdleTimeout: Self.duration(sessionIdleTimeout), maxSessionsPerUser: maxSessionsPerUser, maxConnections: maxConnections,
            headerTimeout: Self.duration(headerTimeout), bodyTimeout: Self.duration(bodyTimeout), idleTimeout: Self.duration(idleTimeout))
    }

    static func duration(_ seconds: Double) -> Duration { .milliseconds(Int64(seconds * 1000)) }

    /// OAuth settings, when `--oauth-issuer` is given (then `--oauth-audience` and `--jwks` are required).
    func oauthSettings() throws -> OAuthSettings? {
        guard let oauthIssuer else {
            guard oauthAudience == nil, jwks == nil, oauthClaim == nil else {
                throw ValidationError("--oauth-audience, --jwks and --oauth-claim need --oauth-issuer.")
            }
            return nil
        }
        guard let oauthAudience, let jwks else { throw ValidationError("--oauth-issuer needs --oauth-audience and --jwks.") }
        guard let audience = URL(string: oauthAudience), audience.scheme != nil, audience.host != nil else {
            throw ValidationError("--oauth-audience must be this server's absolute URL, e.g. https://fleet.example.com/mcp.")
        }
        return OAuthSettings(issuer: oauthIssuer, audience: audience.absoluteString, jwks: jwks, claim: oauthClaim)
    }
}
