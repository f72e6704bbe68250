import CoderAPI
import Foundation
import Hummingbird
import Logging
import NIOCore

/// A sandbox serving on loopback, started in-process.
public final class RunningSandbox: Sendable {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    public let url: URL
    /// The session token of the sandbox's user.
    public let token: String
    public let options: SandboxOptions
    private let task: Task<Void, any Error>
    private let simulator: Simulator
    let store: SandboxStore
    let log: RequestLog

    init(url: URL, token: String, options: SandboxOptions, task: Task<Void, any Error>, simulator: Simulator, log: RequestLog) {
        self.store = simulator.store
        self.log = log
        self.url = url
        self.token = token
        self.options = options
        self.task = task
        self.simulator = simulator
    }

    /// Starts the server and returns once it listens.
    public static func start(_ options: SandboxOptions, logger: Logger = Logger(label: "fleet-mcp.sandbox")) async throws -> RunningSandbox {
        let store = SandboxStore(seed: options.seed, version: options.coderVersion, token: options.token)
        let simulator = Simulator(
            store: store, timeScale: options.timeScale, seed: options.seed.randomSeed, idlePause: options.idlePause,
            logger: logger)
        try await SeedAgents.create(options.seed.agents, store: store, simulator: simulator)
        let log = try RequestLog(limit: options.requestLogLimit, file: options.requestLogFile)
        let router = SandboxRouter.make(store: store, simulator: simulator, options: options, log: log, logger: logger)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var serverLogger = logger
        serverLogger.logLevel = .critical  // Hummingbird reports a cancelled shutdown as errors; nothing to act on.
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "fleet-mcp-sandbox"),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? options.port)
                continuation.finish()
            },
            logger: serverLogger)
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            _ = try await task.value
            throw CancellationError()
        }
        let host = options.host.contains(":") ? "[\(options.host)]" : options.host
        return RunningSandbox(
            url: URL(string: "http://\(host):\(port)")!, token: await store.sessionToken, options: options, task: task,
            simulator: simulator, log: log)
    }

    /// Stops the server, then the simulated agents (so no request still in flight starts new work after them).
    public func stop() async throws {
        task.cancel()
        _ = try? await task.value
        simulator.shutdown()
        log.close()
    }

    /// Waits until the server stops (it stops when the surrounding task is cancelled).
    public func wait() async throws {
        try await withTaskCancellationHandler {
            _ = try await task.value
        } onCancel: {
            task.cancel()
        }
    }

    /// Starts a sandbox, runs `body` with it, and stops it when `body` returns or throws.
    public static func with<T>(
        _ options: SandboxOptions = SandboxOptions(), logger: Logger = Logger(label: "fleet-mcp.sandbox"),
        isolation: isolated (any Actor)? = #isolation,
        _ body: (RunningSandbox) async throws -> T
    ) async throws -> T {
        let sandbox = try await start(options, logger: logger)
        do {
            let result = try await body(sandbox)
            try await sandbox.stop()
            return result
        } catch {
            try? await sandbox.stop()
            throw error
        }
    }
}

/// Starts a sandbox, runs `body` with it, and awaits its shutdown when `body` returns or throws:
/// `try await withSandbox(options) { sandbox in … }`.
public func withSandbox<T>(
    _ options: SandboxOptions = SandboxOptions(), isolation: isolated (any Actor)? = #isolation,
    _ body: (RunningSandbox) async throws -> T
) async throws -> T {
    try await RunningSandbox.with(options, isolation: isolation, body)
}

/// Creates the seed's pre-existing agents, already running (or stopped) with their history.
enum SeedAgents {
    static func create(_ agents: [SandboxSeed.Agent], store: SandboxStore, simulator: Simulator) async throws {
        guard !agents.isEmpty else { return }
        let firstUser = await store.firstUser
        for agent in agents {
            var owner = firstUser
            if let name = agent.owner {
                guard let found = await store.user(named: name, caller: firstUser) else {
                    throw SandboxError(400, "seed agent \(agent.workspace): unknown owner \(name)")
                }
                owner = found
            }
            guard let record = await store.template(named: agent.template) else {
                throw SandboxError(400, "seed agent \(agent.workspace): unknown template \(agent.template)")
            }
            let preset = agent.preset.flatMap { name in record.presets.first { $0.name.lowercased() == name.lowercased() } }
            let workspace = try await store.createWorkspace(
                owner: owner,
                request: CreateWorkspaceRequest(
                    name: agent.workspace, templateID: record.template.id, templateVersionPresetID: preset?.id,
                    richParameterValues: await store.promptParameters(record, agent.prompt)), initiator: owner)
            await store.update(workspace.id) { $0.taskInput = agent.prompt }
            let past = Date().addingTimeInterval(-3600)
            let agentID = await store.newID()
            let stopped = agent.state == "stopped"
            _ = await store.updateBuild(workspace.id, buildID: workspace.latestBuild.id) { build in
                build.createdAt = past
                build.startedAt = past.addingTimeInterval(1)
                build.completedAt = past.addingTimeInterval(20)
                build.agentID = agentID
            }
            await store.update(workspace.id) { record in
                record.createdAt = past
                var runtime = AgentRuntime(createdAt: past.addingTimeInterval(20), updatedAt: past.addingTimeInterval(40))
                runtime.status = .connected
                runtime.lifecycle = .ready
                runtime.firstConnectedAt = past.addingTimeInterval(21)
                runtime.lastConnectedAt = Date()
                runtime.startedAt = past.addingTimeInterval(21)
                runtime.readyAt = past.addingTimeInterval(40)
                runtime.appHealth = .healthy
                record.agent = runtime
                record.conversation.messages = [
                    AgentAPIMessage(id: 0, content: Simulator.welcome, role: .agent, time: past.addingTimeInterval(41)),
                    AgentAPIMessage(id: 1, content: agent.prompt, role: .user, time: past.addingTimeInterval(42)),
                ]
            }
            let history = agent.history ?? []
            for (index, report) in history.enumerated() {
                // Spread over the hour since the agent started, oldest first.
                let at = past.addingTimeInterval(60 + 3000 * Double(index) / Double(max(1, history.count)))
                let patch = PatchAppStatus(appSlug: "ccw", state: AppStatusState(rawValue: report.state), message: report.message, uri: report.uri)
                try await store.patchAppStatus(agentToken: workspace.agentToken, patch, at: at)
            }
            if stopped {
                let (_, build) = try await store.createBuild(
                    workspaceID: workspace.id, request: CreateWorkspaceBuildRequest(transition: .stop),
                    initiator: owner)
                _ = await store.updateBuild(workspace.id, buildID: build.id) {
                    $0.startedAt = Date()
                    $0.completedAt = Date()
                }
                await store.update(workspace.id) { $0.agent = nil }
            }
        }
    }
}

extension RunningSandbox {
    /// Requests received so far (every route, the app proxy included).
    public var requestCount: Int { log.count }

    /// The requests received, in order (the newest ``SandboxOptions/requestLogLimit``): method, raw path and query.
    public var requestLog: [SandboxRequestRecord] { log.entries }

    /// Adds `agents` running agents to the first user's fleet, each with `statusesPerAgent` reports, straight into
    /// the store (for benchmarks: seeding a thousand agents over HTTP would measure the seeding).
    public func seedFleet(
        agents: Int, statusesPerAgent: Int, template: String = "webshop", prefix: String = "agent-bench-",
        owner: String? = nil
    ) async throws {
        let history = (0..<statusesPerAgent).map { index in
            SandboxSeed.Report(
                state: index == statusesPerAgent - 1 ? "complete" : "working", message: "Step \(index + 1) of the benchmark task",
                uri: index == statusesPerAgent - 1 ? "https://github.com/acme/webshop/pull/\(index + 1)" : nil)
        }
        let seeds = (0..<agents).map { index in
            SandboxSeed.Agent(
                workspace: "\(prefix)\(index)", owner: owner, template: template, preset: "Coder", prompt: "Benchmark task \(index)",
                state: nil, history: history)
        }
        try await SeedAgents.create(seeds, store: store, simulator: simulator)
    }

    /// Every user's session token, by username, in seed order (the first is ``token``).
    public func sessionTokens() async -> [(username: String, token: String)] {
        await store.users.map { ($0.user.username, $0.token) }
    }

    /// The token the workspace's agent holds (`CODER_AGENT_TOKEN` inside the workspace). For tests that
    /// report statuses the way an agent does; real Coder never returns it over the API.
    public func agentToken(workspaceID: String) async -> String? {
        await store.agentToken(workspaceID: workspaceID)
    }
}
