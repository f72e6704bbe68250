import CoderAPI
import CoderSandbox
import FleetMCP
import Foundation
import MCP

/// A server process spoken to over stdio by the official Swift MCP client.
struct ServerProcess {
    let process: Process
    let client: Client
    let stdin: FileHandle
    let stamps: TimedTransport.Stamps
    /// From launch to the arrival of the `initialize` / first `tools/list` response.
    let launchToInitialize: Double
    let launchToToolsList: Double

    static func launch(_ server: ServerUnderTest, sandbox: RunningSandbox) async throws -> ServerProcess {
        let process = Process()
        var environment = ProcessInfo.processInfo.environment
        environment["CODER_URL"] = sandbox.url.absoluteString
        environment["CODER_SESSION_TOKEN"] = sandbox.token
        environment["FASTMCP_SHOW_CLI_BANNER"] = "false"
        environment["FLEET_MCP_LOG_LEVEL"] = "error"
        environment["FASTMCP_LOG_LEVEL"] = "ERROR"
        switch server {
        case .fleetMCP(let path):
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = ["serve"]
        case .reference(let path):
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = []
        }
        process.environment = environment
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let started = ContinuousClock.now
        try process.run()
        let transport = TimedTransport(input: output.fileHandleForReading.fileDescriptor, output: input.fileHandleForWriting.fileDescriptor)
        let client = Client(name: "fleet-bench", version: "1")
        _ = try await client.connect(transport: transport)
        let initialized = (transport.stamps.lastResponse ?? ContinuousClock.now) - started
        _ = try await client.listTools()
        let listed = (transport.stamps.lastResponse ?? ContinuousClock.now) - started
        return ServerProcess(
            process: process, client: client, stdin: input.fileHandleForWriting, stamps: transport.stamps,
            launchToInitialize: initialized.milliseconds, launchToToolsList: listed.milliseconds)
    }

    /// Peak resident memory of the server process (`VmHWM`), in MiB.
    var peakRSS: Double? { memoryMiB("VmHWM") }

    /// Resident memory of the server process now (`VmRSS`), in MiB.
    var currentRSS: Double? { memoryMiB("VmRSS") }

    /// A memory figure of the server process from `/proc/PID/status` (given there in kB), in MiB.
    private func memoryMiB(_ field: String) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
            let kb = line.split(separator: " ").compactMap({ Double($0) }).first
        else { return nil }
        return kb / 1024
    }

    /// Calls a tool.
    func call(_ tool: String, _ arguments: [String: Value]) async throws -> CallTool.Result {
        try await timedCall(tool, arguments).result
    }

    /// Calls a tool; also returns the time from sending the request to the arrival of its response.
    func timedCall(_ tool: String, _ arguments: [String: Value]) async throws -> (result: CallTool.Result, latency: Duration) {
        let started = ContinuousClock.now
        let context: RequestContext<CallTool.Result> = try await client.send(CallTool.request(.init(name: tool, arguments: arguments)))
        let result = try await context.value
        let finished = ContinuousClock.now
        guard let sent = stamps.lastSent, let arrived = stamps.lastResponse, sent >= started, arrived >= sent else {
            return (result, finished - started)
        }
        return (result, arrived - sent)
    }

    /// Ends the session the way an MCP host does (closing stdin), then SIGTERM, then SIGKILL.
    func stop() async {
        await client.disconnect()
        try? stdin.close()
        for attempt in 0..<60 where process.isRunning {
            if attempt == 20 { process.terminate() }
            if attempt == 40 { kill(process.processIdentifier, SIGKILL) }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// Runs every tool of one case against each server and gathers the figures.
struct Runner {
    let benchCase: BenchCase
    let repetitions: Int
    /// Measure only these tools (nil: all).
    var onlyTools: Set<String>? = nil
    /// Also time what the MCP SDK adds to each fleet-mcp result (`SDKCost`).
    var sdkCost = false

    func run(_ servers: [ServerUnderTest]) async throws -> CaseResult {
        let sandbox = try await RunningSandbox.start(
            SandboxOptions(port: 0, coderVersion: .v2_27, latency: .milliseconds(benchCase.latencyMs), timeScale: 0))
        try await sandbox.seedFleet(agents: benchCase.agents, statusesPerAgent: benchCase.statuses)
        var result = CaseResult(benchCase: benchCase, servers: [])
        for server in servers {
            let process = try await ServerProcess.launch(server, sandbox: sandbox)
            var measured = ServerResult(
                server: server.name, coldStartInitializeMs: process.launchToInitialize,
                coldStartToolsListMs: process.launchToToolsList, tools: [])
            for step in steps(for: server) where onlyTools?.contains(step.tool) ?? true {
                measured.tools.append(try await measure(step, process: process, sandbox: sandbox, sdkCost: sdkCost && server.name == "fleet-mcp"))
            }
            measured.peakRSSMiB = process.peakRSS
            await process.stop()
            result.servers.append(measured)
        }
        try? await sandbox.stop()
        return result
    }

    struct Step {
        var label: String
        var tool: String
        var arguments: @Sendable (Int) -> [String: Value]
        var settle: Bool = false
    }

    func steps(for server: ServerUnderTest) -> [Step] {
        let tag = server.name == "fleet-mcp" ? "f" : "r"
        let lastPage = max(1, (benchCase.statuses + 19) / 20)
        return [
            Step(label: "list_agent_projects", tool: "list_agent_projects", arguments: { _ in [:] }),
            Step(label: "list_agent_roles", tool: "list_agent_roles", arguments: { _ in ["project": "Webshop"] }),
            Step(label: "list_agents", tool: "list_agents", arguments: { _ in [:] }),
            Step(label: "show_agent", tool: "show_agent", arguments: { _ in ["agent_name": "agent-bench-0"] }),
            Step(
                label: "show_agent_task_history (first page)", tool: "show_agent_task_history",
                arguments: { _ in ["agent_name": "agent-bench-0", "page": 1, "page_size": 20] }),
            Step(
                label: "show_agent_task_history (last page)", tool: "show_agent_task_history",
                arguments: { _ in ["agent_name": "agent-bench-0", "page": .int(lastPage), "page_size": 20] }),
            Step(label: "show_agent_log", tool: "show_agent_log", arguments: { _ in ["agent_name": "agent-bench-1"] }),
            Step(
                label: "create_agent", tool: "create_agent",
                arguments: { i in ["name": .string("\(tag)new\(i)"), "project": "Webshop", "task": "Investigate the cache", "role": "Coder"] }),
            Step(
                label: "start_agent_task", tool: "start_agent_task",
                arguments: { [agents = benchCase.agents] i in
                    ["agent_name": .string("agent-bench-\(i % agents)"), "task_description": "Investigate the logs"]
                },
                settle: true),
            Step(label: "delete_agent", tool: "delete_agent", arguments: { i in ["agent_name": .string("\(tag)new\(i)")] }),
        ]
    }

    func measure(_ step: Step, process: ServerProcess, sandbox: RunningSandbox, sdkCost: Bool = false) async throws -> ToolResult {
        var last: CallTool.Result?
        var times: [Double] = []
        var requests = 0
        var bytes = 0
        var errors: [String] = []
        for index in 0..<repetitions {
            // A server that needs more than 10 s a call is measured once, not `repetitions` times.
            if index > 0, let slowest = times.max(), slowest > 10_000 { break }
            if step.settle { try await Task.sleep(for: .milliseconds(30)) }  // let the simulated agent finish its turn
            let before = sandbox.requestCount
            let (result, latency) = try await process.timedCall(step.tool, step.arguments(index))
            last = result
            times.append(latency.milliseconds)
            requests += sandbox.requestCount - before
            let text = result.content.compactMap { if case .text(let text, _, _) = $0 { text } else { nil } }.joined()
            bytes += text.utf8.count
            if result.isError == true, errors.count < 2 { errors.append(String(text.prefix(160))) }
        }
        let calls = times.count
        times.sort()
        return ToolResult(
            tool: step.label, calls: calls, p50Ms: times[times.count / 2], p95Ms: times[min(times.count - 1, Int(Double(times.count) * 0.95))],
            maxMs: times.last ?? 0, requestsPerCall: Double(requests) / Double(calls), bytesPerCall: bytes / calls,
            errors: errors, sdk: sdkCost ? try last.map { try SDKCost.measure($0) } : nil)
    }
}

extension Duration {
    var milliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15 }
}
