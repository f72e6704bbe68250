import CoderAPI
import Fleet
import Foundation
import Logging
import MCP
import Synchronization

/// The MCP surface of the fleet: every tool, registered on an SDK `Server`.
public struct FleetMCPServer: Sendable {
    public static let name = "fleet-mcp"
    public static let title = "Fleet of Claude Code agents on Coder"
    public static let instructions = """
        fleet-mcp runs a fleet of Claude Code agents, each in its own Coder workspace. \
        Typical flow: list_agent_projects → list_agent_roles → create_agent (returns at once) → wait_for_agent \
        (until idle/needs_input) → show_agent_task_history / show_agent_log → start_agent_task for follow-ups. \
        Statuses: busy (working), idle or complete (ready for a task), needs_input (answer with start_agent_task), \
        starting/pending (wait), paused (resume_agent, or start_agent_task resumes it), stopped (restart_agent), \
        failed (restart_agent or delete_agent).
        """

    public let fleet: FleetService
    public let tools: [FleetTool]
    /// Pushes resource changes to subscribed sessions (shared by every session this server makes).
    public let watcher: FleetWatcher
    let version: String
    private let inFlight = InFlightCalls()
    let logger: Logger

    /// - Parameters:
    ///   - readOnly: offer only the tools that change nothing (`--read-only`).
    ///   - allowedTools: offer only these tools (`--tools`); nil offers all.
    public init(
        fleet: FleetService, version: String, readOnly: Bool = false, allowedTools: Set<String>? = nil,
        logger: Logger = Logger(label: "fleet-mcp.mcp")
    ) {
        self.fleet = fleet
        self.version = version
        self.logger = logger
        self.watcher = FleetWatcher(fleet: fleet, interval: fleet.configuration.pollInterval, logger: logger)
        self.tools = FleetTools.all.filter { tool in
            (!readOnly || tool.definition.annotations.readOnlyHint == true) && (allowedTools?.contains(tool.name) ?? true)
        }
    }

    /// The tool list as MCP clients see it.
    public var definitions: [Tool] { tools.map(\.definition) }

    /// A server with every tool registered, ready for `start(transport:)`; `observer` hears of every tool call
    /// (the HTTP server's metrics).
    public func makeServer(observer: (any ToolCallObserver)? = nil) async -> Server {
        let server = Server(
            name: Self.name, version: version, title: Self.title,
            instructions: Self.instructions,
            capabilities: .init(resources: .init(subscribe: true, listChanged: true), tools: .init(listChanged: false)))
        let definitions = self.definitions
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: definitions) }
        let box = WeakServer(server)
        await registerResources(on: server, box: box)
        await server.withMethodHandler(CallTool.self) { [self] params in
            let token = params._meta?.progressToken
            let context = ToolContext { progress, total, message in
                guard let token, let server = box.server else { return }
                try? await server.notify(
                    ProgressNotification.message(.init(progressToken: token, progress: progress, total: total, message: message)))
            }
            return try await self.answer(params, observer: observer, context: context).result
        }
        return server
    }

    /// Runs a `tools/call` and tells `observer`, if any, how it went. Only offered tool names are reported; anything
    /// else is `unknown`.
    public func answer(
        _ params: CallTool.Parameters, observer: (any ToolCallObserver)?, context: ToolContext = ToolContext()
    ) async throws -> ToolAnswer {
        guard let observer else { return try await answer(params.name, arguments: params.arguments, context: context) }
        let tool = tools.contains { $0.name == params.name } ? params.name : "unknown"
        observer.toolCallStarted()
        let started = ContinuousClock.now
        do {
            let result = try await answer(params.name, arguments: params.arguments, context: context)
            observer.toolCallFinished(tool: tool, outcome: result.isError ? .toolError : .ok, duration: ContinuousClock.now - started)
            return result
        } catch is CancellationError {
            observer.toolCallFinished(tool: tool, outcome: .cancelled, duration: ContinuousClock.now - started)
            throw CancellationError()
        } catch {
            observer.toolCallFinished(tool: tool, outcome: .protocolError, duration: ContinuousClock.now - started)
            throw error
        }
    }

    /// The fleet as resources: list, templates, read, subscribe and unsubscribe.
    func registerResources(on server: Server, box: WeakServer) async {
        let fleet = self.fleet
        let watcher = self.watcher
        await server.withMethodHandler(ListResources.self) { _ in try await FleetResources.list(fleet) }
        await server.withMethodHandler(ListResourceTemplates.self) { _ in ListResourceTemplates.Result(templates: [FleetResources.template]) }
        await server.withMethodHandler(ReadResource.self) { params in try await FleetResources.read(fleet, uri: params.uri) }
        await server.withMethodHandler(ResourceSubscribe.self) { params in
            _ = try FleetResources.agentName(in: params.uri)
            if let server = box.server { await watcher.subscribe(server, uri: params.uri) }
            return Empty()
        }
        await server.withMethodHandler(ResourceUnsubscribe.self) { params in
            if let server = box.server { await watcher.unsubscribe(server, uri: params.uri) }
            return Empty()
        }
    }

    /// Runs one tool, in the SDK's form (`answer(_:arguments:context:)` is the encoded-once form).
    public func call(_ name: String, arguments: [String: Value]?, context: ToolContext = ToolContext()) async throws -> CallTool.Result {
        try await answer(name, arguments: arguments, context: context).result
    }

    /// Runs one tool. Tool failures are answers with `isError: true`; an unknown tool is a protocol error.
    public func answer(_ name: String, arguments: [String: Value]?, context: ToolContext = ToolContext()) async throws -> ToolAnswer {
        guard let tool = tools.first(where: { $0.name == name }) else {
            throw MCPError.invalidParams("Unknown tool '\(Echo.cap(name, 64))'. Tools: \(tools.map(\.name).joined(separator: ", ")).")
        }
        let started = ContinuousClock.now
        inFlight.enter()
        defer { inFlight.leave() }
        let arguments = arguments ?? [:]
        let unknown = Set(arguments.keys).subtracting(tool.parameterNames)
        if !unknown.isEmpty {
            let expected = tool.parameterNames.sorted().joined(separator: ", ")
            let names = unknown.sorted().prefix(5).map { Echo.cap($0, 40) }.joined(separator: ", ") + (unknown.count > 5 ? ", …" : "")
            return failure("\(name): unknown parameter\(unknown.count > 1 ? "s" : "") \(names). Parameters: \(expected.isEmpty ? "none" : expected).")
        }
        do {
            let deadline = fleet.configuration.callTimeout + (tool.waits ? fleet.configuration.maxWait : .zero)
            let output = try await CallDeadline.run(within: deadline) {
                try await tool.run(fleet, ToolArguments(values: arguments, tool: name), context)
            }
            let answer = try ToolAnswer(output: output)
            logger.info("\(name) ok in \(ContinuousClock.now - started)")
            return answer
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as FleetError {
            logger.info("\(name) refused: \(error.message)")
            return failure(error.message)
        } catch {
            logger.error("\(name) failed: \(error)")
            return failure(FleetError.coder(error, doing: name.replacingOccurrences(of: "_", with: " ")).message)
        }
    }

    /// Waits (bounded) for tool calls still running, e.g. after the client closed stdin right after its requests.
    public func drain(timeout: Duration = .seconds(10)) async {
        let deadline = ContinuousClock.now + timeout
        try? await Task.sleep(for: .milliseconds(100))
        while inFlight.count > 0, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
    }

    func failure(_ message: String) -> ToolAnswer { ToolAnswer(failure: message) }
}

/// Lets tool handlers reach their server without keeping it alive.
final class WeakServer: @unchecked Sendable {
    weak var server: Server?
    init(_ server: Server) { self.server = server }
}

/// Counts running tool calls.
final class InFlightCalls: Sendable {
    private let value = Mutex(0)
    func enter() { value.withLock { $0 += 1 } }
    func leave() { value.withLock { $0 -= 1 } }
    var count: Int { value.withLock { $0 } }
}

/// How a tool call ended, for metrics.
public enum ToolCallOutcome: String, Sendable {
    case ok, toolError = "tool_error", protocolError = "protocol_error", cancelled
}

/// Hears of every tool call a server runs (the HTTP server counts and times them).
public protocol ToolCallObserver: Sendable {
    func toolCallStarted()
    func toolCallFinished(tool: String, outcome: ToolCallOutcome, duration: Duration)
}
