import ArgumentParser
import CoderAPI
import CoderSandbox
import Fleet
import FleetMCP
import Foundation
import Logging
import MCP

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a fleet of three simulated agents on the embedded sandbox, driven through an MCP client connection.")

    @Option(name: .customLong("time-scale"), help: "Multiplier of every simulated delay (1 is life-like, 0.1 ten times faster).")
    var timeScale: Double = 0.8
    @Option(name: .customLong("agent-speed"), help: .hidden) var agentSpeed: Double?  // the old name of --time-scale
    @Option(name: .customLong("coder-version"), help: "Coder version the sandbox emulates: \(SandboxVersion.list).")
    var coderVersion: String = "2.35"
    @Flag(name: .customLong("no-color"), help: "Plain output.") var noColor = false
    @Option(name: .customLong("log-level"), help: "Log level (stderr).") var logLevel: String = "error"

    func run() async throws {
        LogSetup.bootstrap(level: logLevel)
        guard let version = SandboxVersion(rawValue: coderVersion) else { throw ValidationError("--coder-version must be \(SandboxVersion.list).") }
        let timeScale = agentSpeed ?? timeScale
        guard timeScale >= 0 else { throw ValidationError("--time-scale must not be negative.") }
        let color = !noColor && isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        let out = Transcript(color: color)
        let started = ContinuousClock.now

        let sandbox = try await RunningSandbox.start(SandboxOptions(port: 0, coderVersion: version, timeScale: timeScale))
        let live = LiveTransport()
        let counter = CountingTransport(live)
        let coder = CoderClient(baseURL: sandbox.url, token: SessionToken(sandbox.token), transport: counter)
        let fleet = FleetService(coder: coder, configuration: FleetConfiguration(pollInterval: .milliseconds(250)))
        let server = await FleetMCPServer(fleet: fleet, version: FleetCommand.version).makeServer()
        let (clientSide, serverSide) = await InMemoryTransport.createConnectedPair()
        try await server.start(transport: serverSide)
        let client = Client(name: "fleet-mcp-demo", version: FleetCommand.version)
        let hello = try await client.connect(transport: clientSide)
        let session = DemoSession(client: client, out: out)

        out.write(out.paint("fleet-mcp demo", .bold) + out.paint(" — a fleet of Claude Code agents on a simulated Coder", .gray))
        out.note(
            "Coder sandbox v\(version.rawValue) at \(sandbox.url)  ·  MCP server \(hello.serverInfo.name) \(hello.serverInfo.version), protocol \(hello.protocolVersion)"
        )

        out.section("1. Discover projects and roles")
        let projects = try await session.call("list_agent_projects")
        for project in projects["projects"]?.arrayValue ?? [] {
            out.note(
                out.paint(project["name"]?.stringValue ?? "", .bold) + "  " + (project["description"]?.stringValue ?? "")
                    + out.paint("  roles: " + (project["roles"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ", ") ?? ""), .gray))
        }
        let roles = try await session.call("list_agent_roles", ["project": "webshop"])
        for role in roles["roles"]?.arrayValue ?? [] {
            out.note(
                out.paint(role["name"]?.stringValue ?? "", .bold) + (role["default"]?.boolValue == true ? out.paint(" (default)", .gray) : "")
                    + "  " + (role["description"]?.stringValue ?? ""))
        }

        out.section("2. Create three agents with different roles")
        let agents: [(String, String, String, String)] = [
            ("ada", "webshop", "Coder", "Fix the rounding error in checkout totals"),
            ("grace", "platform", "Operator", "Investigate why the nightly deploy got slow"),
            ("linus", "webshop", "Reviewer", "[needs-input] Review the open pull request for the cart page"),
        ]
        for (name, project, role, task) in agents {
            let created = try await session.call(
                "create_agent", ["name": .string(name), "project": .string(project), "role": .string(role), "task": .string(task)])
            out.note("\(out.paint(name, .bold)) is \(out.statusColor(created["status"]?.stringValue ?? "?")) in \(project) as \(role)")
        }

        out.section("3. Watch them work")
        try await session.watch(until: { $0.allSatisfy { ["complete", "idle", "needs_input", "failed"].contains($0.status) } })

        out.section("4. History, pull requests and conversation")
        let history = try await session.call("show_agent_task_history", ["agent_name": "ada", "page_size": 10])
        for entry in (history["tasks"]?.arrayValue ?? []).reversed() {
            let uri = entry["uri"]?.stringValue ?? ""
            out.note(
                out.paint(Transcript.pad(entry["state"]?.stringValue ?? "", 9), .gray) + (entry["message"]?.stringValue ?? "")
                    + (uri.isEmpty ? "" : out.paint("  " + uri, .blue)))
        }
        let grace = try await session.call("show_agent", ["agent_name": "grace"])
        out.note(
            "grace: " + out.statusColor(grace["agent"]?["status"]?.stringValue ?? "") + " — " + (grace["agent"]?["last_task"]?.stringValue ?? ""))
        let log = try await session.call("show_agent_log", ["agent_name": "grace"])
        if let turn = log["logs"]?.arrayValue?.first {
            out.note(out.paint("latest turn (\(turn["type"]?.stringValue ?? "")): ", .gray) + (turn["content"]?.stringValue ?? ""))
        }

        out.section("5. Answer a question and send a follow-up")
        let linus = try await session.call("show_agent", ["agent_name": "linus"])
        out.note("linus asks: " + out.paint(linus["agent"]?["last_task"]?.stringValue ?? "", .magenta))
        _ = try await session.call(
            "start_agent_task", ["agent_name": "linus", "task_description": "Focus on accessibility; approve if the tests pass"])
        _ = try await session.call(
            "start_agent_task", ["agent_name": "ada", "task_description": "[slow] Refactor the pricing module to use Decimal"])
        _ = try await session.call("wait_for_agent", ["agent_name": "ada", "until": "busy", "timeout_seconds": 20])
        let refused = try await session.callExpectingError("start_agent_task", ["agent_name": "ada", "task_description": "Also bump the version"])
        out.note(out.paint("refused as expected: ", .gray) + refused)

        out.section("6. Cancel a running task")
        _ = try await session.call("cancel_agent_task", ["agent_name": "ada"])
        let waited = try await session.call("wait_for_agent", ["agent_name": "ada", "until": "idle", "timeout_seconds": 20])
        out.note(
            "ada is " + out.statusColor(waited["status"]?.stringValue ?? "") + " after \(waited["waited_seconds"]?.doubleValue ?? 0) s: "
                + (waited["last_task"]?.stringValue ?? ""))
        try await session.watch(until: { $0.allSatisfy { ["complete", "idle", "needs_input", "failed"].contains($0.status) } })

        out.section("7. Pause an agent, and wake it with new work")
        let pausedAnswer = try await session.call("pause_agent", ["agent_name": "grace"])
        out.note(pausedAnswer["message"]?.stringValue ?? "")
        let paused = try await session.call("wait_for_agent", ["agent_name": "grace", "until": "settled", "timeout_seconds": 30])
        out.note("grace is " + out.statusColor(paused["status"]?.stringValue ?? "") + (paused["status_reason"]?.stringValue.map { " — \($0)" } ?? ""))
        let woken = try await session.call(
            "start_agent_task", ["agent_name": "grace", "task_description": "Write the deploy findings into docs/deploy-timing.md"])
        out.note(woken["message"]?.stringValue ?? "")

        out.section("8. Wait on the whole fleet and react to each agent")
        _ = try await session.call(
            "start_agent_task", ["agent_name": "linus", "task_description": "[needs-input] Check the cart page on mobile too"])
        _ = try await session.call("start_agent_task", ["agent_name": "ada", "task_description": "Add a test for the Decimal rounding"])
        var cursor: String?
        var answered = false
        for _ in 0..<12 {
            var arguments: [String: Value] = ["timeout_seconds": 30]
            if let cursor { arguments["since"] = .string(cursor) }
            let answer = try await session.call("wait_for_fleet", arguments)
            cursor = answer["cursor"]?.stringValue
            for event in answer["events"]?.arrayValue ?? [] {
                let agent = event["agent"]?.stringValue ?? ""
                let status = event["new_status"]?.stringValue ?? ""
                out.note(
                    out.paint(agent, .bold) + ": " + out.statusColor(event["old_status"]?.stringValue ?? "") + " → " + out.statusColor(status)
                        + "  " + (event["report"]?["message"]?.stringValue ?? event["reason"]?.stringValue ?? ""))
                if status == "needs_input", !answered {
                    answered = true
                    _ = try await session.call(
                        "start_agent_task", ["agent_name": .string(agent), "task_description": "Yes, cover mobile Safari too"])
                }
            }
            let listed = try await session.call("list_agents", quiet: true)
            let statuses = (listed["agents"]?.arrayValue ?? []).compactMap { $0["status"]?.stringValue }
            if answered, statuses.allSatisfy({ ["complete", "idle", "failed"].contains($0) }) { break }
        }
        let inbox = try await session.call("list_agents", ["status_filter": "attention"])
        out.note(
            "inbox: "
                + ((inbox["agents"]?.arrayValue ?? []).compactMap { agent in
                    agent["name"]?.stringValue.map { "\($0) (\(agent["status"]?.stringValue ?? ""))" }
                }.joined(separator: ", ")))

        out.section("9. Clean up")
        for (name, _, _, _) in agents { _ = try await session.call("delete_agent", ["agent_name": .string(name)]) }
        try await session.watch(until: { $0.isEmpty })
        let remaining = try await session.call("list_agents")
        out.note("agents left: \(remaining["total_count"]?.intValue ?? -1)")

        let elapsed = ContinuousClock.now - started
        out.section("Done")
        out.note(
            String(
                format: "%.1f s, %d MCP tool calls, %d Coder requests (%.1f per call)",
                Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                session.calls, counter.count, Double(counter.count) / Double(max(1, session.calls))))
        await client.disconnect()
        await server.stop()
        try? await sandbox.stop()
        try? await live.shutdown()
    }
}

struct DemoFailure: Error, CustomStringConvertible {
    var description: String
}

/// One MCP client session of the demo, printing each call.
final class DemoSession: @unchecked Sendable {
    let client: Client
    let out: Transcript
    private(set) var calls = 0

    init(client: Client, out: Transcript) {
        self.client = client
        self.out = out
    }

    struct Row { var name, status, project, role, task, pr: String }

    func send(_ tool: String, _ arguments: [String: Value]) async throws -> CallTool.Result {
        calls += 1
        let context: RequestContext<CallTool.Result> = try await client.send(CallTool.request(.init(name: tool, arguments: arguments)))
        return try await context.value
    }

    func call(_ tool: String, _ arguments: [String: Value] = [:], quiet: Bool = false) async throws -> [String: Value] {
        if !quiet {
            out.call(tool, arguments.keys.sorted().map { "\($0): \(arguments[$0].map(Self.show) ?? "")" }.joined(separator: ", "))
        }
        let result = try await send(tool, arguments)
        if result.isError == true {
            let text = result.content.compactMap { if case .text(let text, _, _) = $0 { text } else { nil } }.joined()
            throw DemoFailure(description: "\(tool) failed: \(text)")
        }
        return result.structuredContent?.objectValue ?? [:]
    }

    func callExpectingError(_ tool: String, _ arguments: [String: Value]) async throws -> String {
        out.call(tool, arguments.keys.sorted().map { "\($0): \(arguments[$0].map(Self.show) ?? "")" }.joined(separator: ", "))
        let result = try await send(tool, arguments)
        return result.content.compactMap { if case .text(let text, _, _) = $0 { text } else { nil } }.joined()
    }

    static func show(_ value: Value) -> String {
        if let text = value.stringValue { return "\"\(text)\"" }
        if let number = value.intValue { return String(number) }
        return "\(value)"
    }

    /// Redraws a status table from `list_agents` until `done` holds (at most a minute).
    func watch(until done: ([Row]) -> Bool) async throws {
        out.call("list_agents", "every 0.5 s")
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let listed = try await call("list_agents", quiet: true)
            let rows = (listed["agents"]?.arrayValue ?? []).map { agent in
                Row(
                    name: agent["name"]?.stringValue ?? "", status: agent["status"]?.stringValue ?? "", project: agent["project"]?.stringValue ?? "",
                    role: agent["role"]?.stringValue ?? "", task: agent["last_task"]?.stringValue ?? agent["status_reason"]?.stringValue ?? "",
                    pr: agent["pull_request"]?.stringValue ?? "")
            }
            var lines = [
                out.paint(
                    "    " + Transcript.pad("AGENT", 8) + Transcript.pad("STATUS", 13) + Transcript.pad("PROJECT", 10)
                        + Transcript.pad("ROLE", 10) + "LAST REPORT", .gray)
            ]
            for row in rows {
                lines.append(
                    "    " + out.paint(Transcript.pad(row.name, 8), .bold) + out.statusColor(Transcript.pad(row.status, 13))
                        + Transcript.pad(row.project, 10) + Transcript.pad(row.role, 10) + Transcript.pad(row.task, 58)
                        + (row.pr.isEmpty ? "" : out.paint(" " + row.pr, .blue)))
            }
            let finished = done(rows) || ContinuousClock.now > deadline
            if out.color || finished { out.live(lines) }
            if finished { return }
            try await Task.sleep(for: .milliseconds(500))
        }
    }
}
