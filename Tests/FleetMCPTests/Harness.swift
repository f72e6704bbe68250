import CoderAPI
import CoderSandbox
import Fleet
import FleetMCP
import Foundation
import MCP
import Synchronization
import Testing

enum Paths {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let cassettes = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/coder-v2.27.1")
    static let snapshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("__snapshots__")
}

/// Progress messages a client received.
final class ProgressLog: Sendable {
    private let messages = Mutex<[String]>([])
    func append(_ message: String) { messages.withLock { $0.append(message) } }
    func withLock<T>(_ body: ([String]) -> T) -> T { messages.withLock { body($0) } }
}

/// An MCP client connected in-process to a fleet-mcp server.
struct MCPHarness {
    let client: Client
    let server: Server
    let initialize: Initialize.Result
    let progress: ProgressLog

    static func connect(_ fleet: FleetService) async throws -> MCPHarness {
        let mcp = FleetMCPServer(fleet: fleet, version: "test")
        let server = await mcp.makeServer()
        let (clientTransport, serverTransport) = await InMemoryTransport.createConnectedPair()
        try await server.start(transport: serverTransport)
        let client = Client(name: "fleet-tests", version: "1.0")
        let progress = ProgressLog()
        let harness = MCPHarness(client: client, server: server, initialize: try await client.connect(transport: clientTransport), progress: progress)
        await client.onNotification(ProgressNotification.self) { message in
            progress.append(message.params.message ?? "")
        }
        return harness
    }

    /// Calls a tool and returns the whole result (with structured content).
    func call(_ name: String, _ arguments: [String: Value] = [:], progressToken: ProgressToken? = nil) async throws -> CallTool.Result {
        var meta: Metadata?
        if let progressToken { meta = Metadata(progressToken: progressToken) }
        let context: RequestContext<CallTool.Result> = try await client.send(CallTool.request(.init(name: name, arguments: arguments, meta: meta)))
        return try await context.value
    }

    /// Calls a tool that must succeed; returns its structured content as an object.
    func ok(_ name: String, _ arguments: [String: Value] = [:], sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Value] {
        let result = try await call(name, arguments)
        #expect(result.isError != true, "\(name) failed: \(text(result))", sourceLocation: sourceLocation)
        let object = try #require(result.structuredContent?.objectValue, "\(name) returned no structured content", sourceLocation: sourceLocation)
        // The result validates against the tool's advertised output schema.
        let schema = try #require(FleetTools.all.first { $0.name == name }?.definition.outputSchema, sourceLocation: sourceLocation)
        let problems = SchemaValidator.errors(.object(object), against: schema)
        #expect(problems.isEmpty, "\(name)'s result does not match its outputSchema: \(problems.prefix(5))", sourceLocation: sourceLocation)
        // The text content is the same JSON, compact.
        let decoded = try JSONDecoder().decode(Value.self, from: Data(text(result).utf8))
        #expect(decoded == .object(object), sourceLocation: sourceLocation)
        return object
    }

    /// Calls a tool that must fail with a tool error; returns the error text.
    func failure(_ name: String, _ arguments: [String: Value] = [:], sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let result = try await call(name, arguments)
        #expect(result.isError == true, "\(name) should have failed but returned \(text(result))", sourceLocation: sourceLocation)
        #expect(result.structuredContent == nil, sourceLocation: sourceLocation)
        return text(result)
    }

    func text(_ result: CallTool.Result) -> String {
        result.content.compactMap { if case .text(let text, _, _) = $0 { return text } else { return nil } }.joined()
    }

    func close() async {
        await client.disconnect()
        await server.stop()
    }
}

/// A fleet whose Coder is the shared recorded traffic.
struct RecordedFleet {
    let replay: ReplayTransport
    let counter: CountingTransport
    let fleet: FleetService

    init(_ cassettes: [String], prefix: String = "agent-", extra: [Cassette.Interaction] = []) throws {
        var merged = Cassette()
        for name in cassettes { merged.interactions += try Cassette.load(Paths.cassettes.appendingPathComponent(name)).interactions }
        merged.interactions += extra
        replay = ReplayTransport(merged)
        counter = CountingTransport(replay)
        let coder = CoderClient(
            baseURL: URL(string: "https://coder.example.com")!, token: SessionToken("test-token"), transport: counter, retry: .none)
        // The cassettes come from Coder v2.27.1 (X-Coder-Build-Version), which serves /api/experimental/tasks.
        fleet = FleetService(
            coder: coder,
            configuration: FleetConfiguration(
                naming: AgentNaming(prefix: prefix), tasksAPI: .experimental,
                pollInterval: .milliseconds(5)))
    }

    /// The recorded answer to one request, wrapped as a workspace-list answer (`{"workspaces":[…],"count":1}`),
    /// for recordings that fetched a workspace by id but never listed it.
    static func listing(workspaceFrom cassette: String, index: Int) throws -> Cassette.Interaction {
        let source = try Cassette.load(Paths.cassettes.appendingPathComponent(cassette)).interactions[index]
        let body = "{\"workspaces\":[\(source.response.body.string ?? "")],\"count\":1}"
        return Cassette.Interaction(
            request: .init(body: "", headers: [:], method: "GET", uri: "https://coder.example.com/api/v2/workspaces"),
            response: .init(body: .init(string: body), headers: source.response.headers, status: .init(code: 200, message: "OK")))
    }
}

/// A fleet backed by an in-process sandbox.
struct SandboxFleet {
    let sandbox: RunningSandbox
    let counter: CountingTransport
    let live: LiveTransport
    let fleet: FleetService
    let coder: CoderClient

    static func start(
        version: SandboxVersion = .v2_35, speed: Double = 0.02, seed: SandboxSeed = .default, prefix: String = "agent-", idlePause: Duration? = nil,
        faults: FaultPlan? = nil, callTimeout: Duration = .seconds(30)
    ) async throws -> SandboxFleet {
        let sandbox = try await RunningSandbox.start(
            SandboxOptions(port: 0, seed: seed, coderVersion: version, timeScale: speed, idlePause: idlePause, faults: faults))
        let live = LiveTransport()
        let counter = CountingTransport(live)
        let coder = CoderClient(
            baseURL: sandbox.url, token: SessionToken(sandbox.token), transport: counter, retry: RetryPolicy(baseDelay: .milliseconds(20)))
        let fleet = FleetService(
            coder: coder,
            configuration: FleetConfiguration(naming: AgentNaming(prefix: prefix), pollInterval: .milliseconds(20), callTimeout: callTimeout))
        return SandboxFleet(sandbox: sandbox, counter: counter, live: live, fleet: fleet, coder: coder)
    }

    func stop() async {
        try? await sandbox.stop()
        try? await live.shutdown()
    }
}

// MARK: - Scoped fixtures: teardown is awaited whatever the body does (as HummingbirdTesting's `test` is).

extension SandboxFleet {
    /// Runs `body` with a fresh sandbox fleet; stops it, awaited, when `body` returns or throws.
    static func with<T>(
        version: SandboxVersion = .v2_35, speed: Double = 0.02, seed: SandboxSeed = .default, prefix: String = "agent-",
        idlePause: Duration? = nil, faults: FaultPlan? = nil, callTimeout: Duration = .seconds(30), _ body: (SandboxFleet) async throws -> T
    ) async throws -> T {
        let env = try await start(
            version: version, speed: speed, seed: seed, prefix: prefix, idlePause: idlePause, faults: faults, callTimeout: callTimeout)
        do {
            let result = try await body(env)
            await env.stop()
            return result
        } catch {
            await env.stop()
            throw error
        }
    }

    /// Runs `body` with a fresh sandbox fleet and an MCP client connected to its server; both are torn down, awaited.
    static func with<T>(
        version: SandboxVersion = .v2_35, speed: Double = 0.02, seed: SandboxSeed = .default, prefix: String = "agent-",
        idlePause: Duration? = nil, faults: FaultPlan? = nil, callTimeout: Duration = .seconds(30),
        _ body: (SandboxFleet, MCPHarness) async throws -> T
    ) async throws -> T {
        try await with(version: version, speed: speed, seed: seed, prefix: prefix, idlePause: idlePause, faults: faults, callTimeout: callTimeout) {
            env in
            try await MCPHarness.with(env.fleet) { mcp in try await body(env, mcp) }
        }
    }
}

extension MCPHarness {
    /// Runs `body` with an MCP client connected to a server for `fleet`; closes both, awaited.
    static func with<T>(_ fleet: FleetService, _ body: (MCPHarness) async throws -> T) async throws -> T {
        let mcp = try await connect(fleet)
        do {
            let result = try await body(mcp)
            await mcp.close()
            return result
        } catch {
            await mcp.close()
            throw error
        }
    }
}

/// The string `key` of each object in an array value (empty when the value is not an array).
func strings(_ list: Value?, _ key: String) -> [String] {
    guard case .array(let items)? = list else { return [] }
    return items.compactMap { item -> String? in
        guard case .object(let members) = item, case .string(let text)? = members[key] else { return nil }
        return text
    }
}
