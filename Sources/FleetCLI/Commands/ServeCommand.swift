import ArgumentParser
import CoderAPI
import CoderSandbox
import Fleet
import FleetMCP
import Foundation
import Logging
import MCP

/// Options shared by every command that talks to Coder through the fleet.
struct FleetOptions: ParsableArguments {
    @Option(name: .customLong("coder-url"), help: "Coder deployment URL (default: $CODER_URL, then the Coder CLI's login).")
    var coderURL: String?

    @Option(
        name: .customLong("token-file"),
        help: "File holding the Coder session token (default: $CODER_SESSION_TOKEN or $CODER_TOKEN, then the Coder CLI's login).")
    var tokenFile: String?

    @Option(name: .customLong("name-prefix"), help: "Prefix of agent workspace names.")
    var namePrefix: String = "agent-"

    @Option(
        name: .customLong("tasks-api"),
        help: "How to reach agents: auto (detect from the Coder version), stable, experimental, or none (AgentAPI through the app proxy).")
    var tasksAPI: String = "auto"

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error (logs go to stderr).")
    var logLevel: String?

    @Flag(name: .customLong("read-only"), help: "Offer only the tools that change nothing (list, show, history, log, wait).")
    var readOnly = false

    @Option(name: .customLong("tools"), help: "Comma-separated allowlist of tools to offer (default: all).")
    var tools: String?

    @Option(
        name: .customLong("call-timeout"),
        help: "Longest a tool call may take, in seconds, besides the waiting of wait_for_agent and restart_agent (retries included).")
    var callTimeout: Double = 30

    /// The allowlist, checked against the tool names.
    func allowedTools(known: [String]) throws -> Set<String>? {
        guard let tools else { return nil }
        let names = Set(tools.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        let unknown = names.subtracting(known)
        guard unknown.isEmpty else {
            throw ValidationError(
                "--tools names unknown tools: \(unknown.sorted().joined(separator: ", ")). Tools: \(known.joined(separator: ", ")).")
        }
        return names
    }

    func configuration() throws -> FleetConfiguration {
        var pinned: TasksAPIGeneration?
        if tasksAPI != "auto" {
            guard let generation = TasksAPIGeneration(rawValue: tasksAPI) else {
                throw ValidationError("--tasks-api must be auto, stable, experimental or none.")
            }
            pinned = generation
        }
        if !namePrefix.isEmpty, !namePrefix.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) {
            throw ValidationError("--name-prefix may hold only letters, digits and hyphens.")
        }
        guard callTimeout.isFinite, (1...600).contains(callTimeout) else {
            throw ValidationError("--call-timeout must be between 1 and 600 seconds.")
        }
        return FleetConfiguration(
            naming: AgentNaming(prefix: namePrefix), tasksAPI: pinned, callTimeout: .milliseconds(Int64(callTimeout * 1000)))
    }
}

/// Builds the Coder client, recording traffic when `FLEET_MCP_RECORD` names a file.
func makeCoderClient(url: URL, token: SessionToken, live: LiveTransport) -> CoderClient {
    var transport: any HTTPTransport = live
    if let path = ProcessInfo.processInfo.environment["FLEET_MCP_RECORD"], !path.isEmpty {
        transport = RecordingTransport(upstream: live, file: URL(fileURLWithPath: path), secrets: [token.secret]) { problem in
            Logger(label: "fleet-mcp").error("\(problem)")
        }
        Logger(label: "fleet-mcp").notice("recording Coder traffic to \(path) (secrets redacted)")
    }
    return CoderClient(baseURL: url, token: token, transport: transport, logger: Logger(label: "fleet-mcp.coder"))
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the fleet tools over MCP stdio (the default command), or over Streamable HTTP with --http.")

    @OptionGroup var options: FleetOptions

    @Flag(help: "Serve against an embedded Coder sandbox with simulated agents instead of a real deployment.")
    var sandbox = false

    @Option(name: .customLong("sandbox-version"), help: "Coder version the embedded sandbox emulates: \(SandboxVersion.list).")
    var sandboxVersion: String = "2.35"

    @Option(
        name: .customLong("sandbox-time-scale"),
        help: "Multiplier of every simulated delay of the embedded sandbox (1 is life-like, 0.1 ten times faster).")
    var sandboxTimeScale: Double = 1

    @Option(name: .customLong("sandbox-speed"), help: .hidden) var sandboxSpeed: Double?  // the old name of --sandbox-time-scale

    @Option(name: .customLong("sandbox-idle-pause"), help: "Seconds after which the embedded sandbox pauses an idle task (2.31–2.36).")
    var sandboxIdlePause: Double?

    @Option(name: .customLong("sandbox-faults"), help: "Faults the embedded sandbox injects (see `fleet-mcp sandbox --help`).")
    var sandboxFaults: String?

    @OptionGroup(title: "Streamable HTTP (for a team)") var http: HTTPServeOptions

    func run() async throws {
        LogSetup.bootstrap(level: options.logLevel)
        let logger = Logger(label: "fleet-mcp")
        let configuration = try options.configuration()
        if http.listen != nil {
            try await HTTPServe(fleet: options, http: http, configuration: configuration, startSandbox: sandbox ? startSandbox : nil).run()
            return
        }
        var running: RunningSandbox?
        let connection: CoderConnection
        if sandbox {
            let started = try await startSandbox()
            running = started
            connection = CoderConnection(url: started.url, token: SessionToken(started.token), source: "embedded sandbox")
        } else {
            do {
                connection = try CoderConnection.resolve(urlFlag: options.coderURL, tokenFile: options.tokenFile)
            } catch let error as CoderConnection.Missing {
                throw ValidationError(error.description)
            }
        }
        logger.info("Coder at \(connection.url) (from \(connection.source))")
        // Created only once the configuration is known: every exit below shuts it down.
        let live = LiveTransport()
        let coder = makeCoderClient(url: connection.url, token: connection.token, live: live)
        // Pull requests are enriched from GitHub / GitLab when GITHUB_TOKEN (or GH_TOKEN) / GITLAB_TOKEN is set.
        let enricher = PullRequestEnricher.fromEnvironment(transport: live)
        let fleet = FleetService(coder: coder, configuration: configuration, enricher: enricher, logger: logger)
        let allowed: Set<String>?
        do { allowed = try options.allowedTools(known: FleetTools.names) } catch {
            try? await live.shutdown()
            try? await running?.stop()
            throw error
        }
        let mcp = FleetMCPServer(fleet: fleet, version: FleetCommand.version, readOnly: options.readOnly, allowedTools: allowed)
        let server = await mcp.makeServer()
        // Detect the tasks API at start-up, in the background; the first tool call shares the same detection.
        Task { _ = try? await fleet.deployment.generation() }
        do {
            try await server.start(transport: BlockingStdioTransport(direct: mcp.directToolCalls()))
            await server.waitUntilCompleted()
            await mcp.drain()
        } catch {
            logger.error("MCP server stopped: \(error)")
        }
        await server.stop()
        try? await live.shutdown()
        try? await running?.stop()
    }

    /// Starts the embedded Coder sandbox the `--sandbox*` flags describe.
    @Sendable func startSandbox() async throws -> RunningSandbox {
        guard let version = SandboxVersion(rawValue: sandboxVersion) else {
            throw ValidationError("--sandbox-version must be \(SandboxVersion.list).")
        }
        let timeScale = sandboxSpeed ?? sandboxTimeScale
        guard timeScale >= 0 else { throw ValidationError("--sandbox-time-scale must not be negative.") }
        guard (sandboxIdlePause ?? 0) >= 0 else { throw ValidationError("--sandbox-idle-pause must not be negative.") }
        let faults: FaultPlan?
        do { faults = try sandboxFaults.map { try FaultPlan.resolve($0) } } catch { throw ValidationError("--sandbox-faults: \(error)") }
        let started = try await RunningSandbox.start(
            SandboxOptions(
                port: 0, coderVersion: version, timeScale: timeScale,
                idlePause: sandboxIdlePause.map { .milliseconds($0 * 1000) },
                // Nothing reads the embedded sandbox's request log; keep it small in a long-running server.
                faults: faults, requestLogLimit: 1_000))
        Logger(label: "fleet-mcp").notice("embedded Coder sandbox (v\(version.rawValue)) at \(started.url)")
        return started
    }
}
