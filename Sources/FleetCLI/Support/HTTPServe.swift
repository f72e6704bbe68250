import ArgumentParser
import CoderAPI
import CoderSandbox
import Fleet
import FleetHTTP
import FleetMCP
import Foundation
import Logging

/// `fleet-mcp serve --http …`: builds the users (each with their own Coder credential), the authenticator and the
/// HTTP server, runs until SIGTERM or SIGINT, then drains and exits 0.
struct HTTPServe {
    let fleet: FleetOptions
    let http: HTTPServeOptions
    let configuration: FleetConfiguration
    let startSandbox: (@Sendable () async throws -> RunningSandbox)?
    let environment = ProcessInfo.processInfo.environment

    func run() async throws {
        let logger = Logger(label: "fleet-mcp")
        let serverOptions = try http.serverOptions()
        let oauthSettings = try http.oauthSettings()
        let allowed = try fleet.allowedTools(known: FleetTools.names)
        if http.usersFile != nil, startSandbox != nil {
            throw ValidationError("--users needs a real Coder (each user's own token); use --bearer-token-file with --sandbox.")
        }
        if environment["FLEET_MCP_RECORD"]?.isEmpty == false { logger.warning("FLEET_MCP_RECORD is ignored with --http (several users' traffic)") }

        let sandbox = try await startSandbox?()
        let live = LiveTransport()
        do {
            try await serve(serverOptions, oauthSettings: oauthSettings, allowed: allowed, sandbox: sandbox, live: live, logger: logger)
        } catch {
            try? await live.shutdown()
            try? await sandbox?.stop()
            throw error
        }
        try? await live.shutdown()
        try? await sandbox?.stop()
    }

    private func serve(
        _ serverOptions: HTTPServerOptions, oauthSettings: OAuthSettings?, allowed: Set<String>?, sandbox: RunningSandbox?,
        live: LiveTransport, logger: Logger
    ) async throws {
        let metrics = FleetMetrics()
        // Concurrent identical GETs of one user (same token) share one request; nothing is kept after the answer.
        let coderTransport = SingleFlightTransport(CoderMetricsTransport(live, metrics: metrics))
        // The server's own credential: only without --users (single user, or no authentication on loopback).
        var ownToken: SessionToken?
        let url: URL
        if let sandbox {
            url = sandbox.url
            ownToken = SessionToken(sandbox.token)
        } else if http.usersFile != nil {
            do { url = try CoderConnection.resolveURL(urlFlag: fleet.coderURL, environment: environment).0 } catch let error
                as CoderConnection.Missing
            {
                throw ValidationError(error.description)
            }
        } else {
            do {
                let connection = try CoderConnection.resolve(urlFlag: fleet.coderURL, tokenFile: fleet.tokenFile, environment: environment)
                url = connection.url
                ownToken = connection.token
                logger.info("Coder at \(connection.url) (from \(connection.source))")
            } catch let error as CoderConnection.Missing {
                throw ValidationError(error.description)
            }
        }
        let enricher = PullRequestEnricher.fromEnvironment(transport: live)
        let factory = UserFactory(
            makeClient: { token in CoderClient(baseURL: url, token: token, transport: coderTransport, logger: Logger(label: "fleet-mcp.coder")) },
            configuration: configuration, version: FleetCommand.version, readOnly: fleet.readOnly, allowedTools: allowed,
            maxConcurrentRequests: http.maxConcurrentPerUser, enricher: enricher, logger: logger)

        let authenticator: Authenticator
        var verifier: OAuthVerifier?
        if let usersFile = http.usersFile {
            let file: UsersFile
            do { file = try UsersFile.load(URL(fileURLWithPath: usersFile)) } catch { throw ValidationError("--users \(usersFile): \(error)") }
            for warning in file.warnings() { logger.warning("--users \(usersFile): \(warning)") }
            if let oauthSettings {
                do { verifier = try await OAuthVerifier(settings: oauthSettings, transport: live) } catch {
                    throw ValidationError("OAuth: \(error)")
                }
            }
            do { authenticator = try factory.authenticator(for: file, oauth: verifier, environment: environment) } catch {
                throw ValidationError("--users \(usersFile): \(error)")
            }
        } else if let tokenFile = http.bearerTokenFile {
            let token = (try? String(contentsOfFile: tokenFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            guard token.count >= 16 else { throw ValidationError("--bearer-token-file \(tokenFile) must hold a token of at least 16 characters.") }
            guard let ownToken else { throw ValidationError("--bearer-token-file acts with the server's own Coder credential; none found.") }
            let user = try factory.user(name: "default", token: ownToken)
            authenticator = Authenticator(tokenDigests: [(TokenDigest.hex(token), user)])
        } else {
            guard let ownToken else { throw ValidationError("No Coder credential: set CODER_SESSION_TOKEN or --token-file.") }
            authenticator = .none(try factory.user(name: "local", token: ownToken))
            logger.warning("no authentication: every request acts as this server's Coder user (loopback only)")
        }

        let server: FleetHTTPServer
        do { server = try FleetHTTPServer(options: serverOptions, authenticator: authenticator, metrics: metrics, logger: logger) } catch {
            throw ValidationError("\(error)")
        }
        let running = try await server.start(stopOnSignals: true)
        if let portFile = http.portFile { try "\(running.port)\n".write(toFile: portFile, atomically: true, encoding: .utf8) }
        // Detect each user's tasks API in the background; refresh a JWKS URL now and then.
        let background = Task {
            await withTaskGroup(of: Void.self) { group in
                for user in authenticator.users { group.addTask { _ = try? await user.mcp.fleet.deployment.generation() } }
                if let verifier { group.addTask { await verifier.refreshPeriodically() } }
            }
        }
        try await running.wait()
        background.cancel()
        logger.notice("stopped")
    }
}
