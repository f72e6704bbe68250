import CoderAPI
import CoderSandbox
import Foundation
import MCP

/// A bounded soak: a fleet of simulated agents at work for a set time with faults on, several clients calling
/// every tool at once through one fleet-mcp process; counts calls, errors by kind, duplicate writes and lost
/// tasks, and samples the server's memory. Not a test: it prints figures (RELIABILITY.md).
struct Soak {
    var agents: Int
    var clients: Int
    var duration: Duration
    var faults: String
    var binary: String

    struct Figures: Codable {
        var seconds: Double
        var calls: Int
        var ok: Int
        var errorsByKind: [String: Int]
        /// The first message of each kind, as the client saw it (capped at 300 characters).
        var errorExamples: [String: String]
        var tasksDelivered: Int
        var duplicateWrites: Int
        var lostTasks: Int
        var rssMiB: [String: Double]
        /// The size of Coder's answer to the fleet's workspace list (what each `list_agents` reads) at start, middle
        /// and end: it grows with every status report, since Coder returns all of an app's statuses.
        var workspaceListKiB: [String: Double]
        var faults: String
        var agents: Int
        var clients: Int
    }

    /// What each client tally holds.
    actor Tally {
        var calls = 0, ok = 0
        var errors: [String: Int] = [:]
        var examples: [String: String] = [:]
        var delivered: [String: (agent: String, order: Int)] = [:]  // task text -> agent, when
        /// The last successful restart of each agent: a restarted Claude Code starts a new conversation.
        var restarted: [String: Int] = [:]
        func record(_ tool: String, _ result: CallTool.Result?, error: (any Error)?, task: (String, String)? = nil, agent: String? = nil) {
            calls += 1
            if let result, result.isError != true {
                ok += 1
                if let task, result.structuredContent?.objectValue?["delivered"] != .bool(false) { delivered[task.0] = (task.1, calls) }
                if tool == "restart_agent", let agent { restarted[agent] = calls }
            } else {
                let text = result.map { $0.content.compactMap { if case .text(let text, _, _) = $0 { text } else { nil } }.joined() } ?? "\(error!)"
                let kind = Soak.kind(of: text)
                errors[kind, default: 0] += 1
                if examples[kind] == nil { examples[kind] = "\(tool): " + String(text.prefix(300)) }
            }
        }
    }

    /// The fleet's workspace list as Coder answers it, in KiB (retried past the injected faults; 0 if it never answers).
    static func workspaceListKiB(_ sandbox: RunningSandbox, _ transport: LiveTransport) async -> Double {
        let url = sandbox.url.appending(path: "api/v2/workspaces").appending(queryItems: [URLQueryItem(name: "q", value: "owner:me")])
        let request = CoderHTTPRequest(method: "GET", url: url, headers: [(SessionToken.headerName, sandbox.token)])
        for _ in 0..<10 {
            if let response = try? await transport.send(request), response.status == 200 { return Double(response.body.count) / 1024 }
        }
        return 0
    }

    static func kind(of text: String) -> String {
        for (needle, kind) in [
            ("HTTP 401", "revoked token"), ("HTTP 429", "rate limited"), ("HTTP 50", "Coder 5xx"), ("did not answer", "timeout"),
            ("could not be read", "malformed answer"), ("cut off", "truncated answer"), ("closed the connection", "connection reset"),
            ("build in progress", "build conflict"), ("is busy", "busy agent (refused)"), ("is still", "agent not ready (refused)"),
            ("not busy", "nothing to cancel (refused)"), ("does not exist", "unknown agent"), ("already", "already (refused)"),
            ("paused", "paused (refused)"), ("stopp", "stopped (refused)"), ("not running", "not running (refused)"),
        ] where text.contains(needle) { return kind }
        return "other: " + String(text.prefix(60))
    }

    func run() async throws -> Figures {
        let plan = try FaultPlan(parsing: faults, seed: 1)
        let sandbox = try await RunningSandbox.start(SandboxOptions(port: 0, coderVersion: .v2_35, timeScale: 0.05, faults: plan))
        defer { Task { try? await sandbox.stop() } }
        let server = try await ServerProcess.launch(.fleetMCP(binary), sandbox: sandbox)
        let probe = LiveTransport()
        defer { Task { try? await probe.shutdown() } }
        var rss: [String: Double] = ["start": server.currentRSS ?? 0]
        var listSize: [String: Double] = [:]
        let tally = Tally()
        let names = (0..<agents).map { "soak\($0)" }
        // The fleet: created through the server itself, a few at a time.
        for chunk in stride(from: 0, to: names.count, by: 10) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for name in names[chunk..<min(chunk + 10, names.count)] {
                    group.addTask {
                        let arguments: [String: Value] = ["name": .string(name), "project": "webshop", "task": .string("Investigate module \(name)")]
                        // An injected 429 or 5xx may refuse a create; the fleet must exist whole, so ask again
                        // (fleet-mcp checks the name first: a create that did happen is not repeated).
                        for attempt in 1...5 {
                            let result = try? await server.call("create_agent", arguments)
                            await tally.record("create_agent", result, error: result == nil ? CancellationError() : nil)
                            if result?.isError == false || attempt == 5 { break }
                            try? await Task.sleep(for: .seconds(1))
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        listSize["start"] = await Self.workspaceListKiB(sandbox, probe)
        let started = ContinuousClock.now
        let end = started + duration
        var sampledMiddle = false
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask {
                    var generator = SystemRandomNumberGenerator()
                    var serial = 0
                    while ContinuousClock.now < end {
                        serial += 1
                        let agent = names.randomElement(using: &generator)!
                        let (tool, arguments, task) = Self.step(agent: agent, client: client, serial: serial, using: &generator)
                        do {
                            let result = try await server.call(tool, arguments)
                            await tally.record(tool, result, error: nil, task: task.map { ($0, agent) }, agent: agent)
                        } catch {
                            await tally.record(tool, nil, error: error)
                        }
                    }
                }
            }
            while ContinuousClock.now < end {
                try await Task.sleep(for: .seconds(1))
                if !sampledMiddle, ContinuousClock.now - started >= duration / 2 {
                    rss["middle"] = server.currentRSS ?? 0
                    listSize["middle"] = await Self.workspaceListKiB(sandbox, probe)
                    sampledMiddle = true
                }
            }
            try await group.waitForAll()
        }
        rss["end"] = server.currentRSS ?? 0
        rss["peak"] = server.peakRSS ?? 0
        listSize["end"] = await Self.workspaceListKiB(sandbox, probe)
        let elapsed = ContinuousClock.now - started
        await server.stop()
        // Every delivered task must be in its agent's conversation exactly once.
        let delivered = await tally.delivered
        let restarted = await tally.restarted
        var duplicates = 0, lost = 0
        let checker = LiveTransport()
        let coder = CoderClient(baseURL: sandbox.url, token: SessionToken(sandbox.token), transport: checker, retry: RetryPolicy(maxAttempts: 8))
        var conversations: [String: [String]] = [:]
        for agent in Set(delivered.values.map(\.agent)) {
            // The task log (a paused agent's stored snapshot included); an agent that cannot be read is not counted.
            guard let logs = try? await coder.taskLogs(.stable, owner: "me", id: "agent-" + agent).logs else { continue }
            conversations[agent] = logs.filter { $0.type == .input }.map(\.content)
        }
        for (task, sent) in delivered {
            guard let said = conversations[sent.agent] else { continue }  // deleted or unreachable: cannot tell
            let count = said.filter { $0 == task }.count
            if count > 1 { duplicates += 1 }
            // Restarted after the task: a new Claude Code session, so the old conversation is gone, not the task lost.
            if count == 0, (restarted[sent.agent] ?? 0) < sent.order { lost += 1 }
        }
        try? await checker.shutdown()
        let calls = await tally.calls, ok = await tally.ok, errors = await tally.errors, examples = await tally.examples
        return Figures(
            seconds: elapsed.milliseconds / 1000, calls: calls, ok: ok, errorsByKind: errors, errorExamples: examples,
            tasksDelivered: delivered.count,
            duplicateWrites: duplicates, lostTasks: lost, rssMiB: rss, workspaceListKiB: listSize, faults: faults, agents: agents, clients: clients)
    }

    /// One random call: mostly reads, and writes with a unique task text so duplicates and losses can be counted.
    static func step(
        agent: String, client: Int, serial: Int, using generator: inout SystemRandomNumberGenerator
    )
        -> (String, [String: Value], String?)
    {
        let name = Value.string(agent)
        switch Int.random(in: 0..<100, using: &generator) {
        case 0..<20: return ("list_agents", [:], nil)
        case 20..<32: return ("show_agent", ["agent_name": name], nil)
        case 32..<40: return ("show_agent_task_history", ["agent_name": name], nil)
        case 40..<48: return ("show_agent_log", ["agent_name": name], nil)
        case 48..<54: return ("wait_for_agent", ["agent_name": name, "timeout_seconds": 2], nil)
        case 54..<58: return ("wait_for_fleet", ["timeout_seconds": 2], nil)
        case 58..<60: return ("list_agent_projects", [:], nil)
        case 60..<80:
            let task = "soak task \(client)-\(serial)"
            return ("start_agent_task", ["agent_name": name, "task_description": .string(task)], task)
        case 80..<86: return ("cancel_agent_task", ["agent_name": name], nil)
        case 86..<91: return ("pause_agent", ["agent_name": name], nil)
        case 91..<96: return ("resume_agent", ["agent_name": name], nil)
        default: return ("restart_agent", ["agent_name": name], nil)
        }
    }
}
