import CoderAPI
import CoderSandbox
import Fleet
import FleetMCP
import Foundation
import Logging
import MCP

/// Prints how fleet-mcp's tool calls scale: latency and Coder requests per call, by fleet size and history
/// length, against the embedded sandbox over an in-process MCP connection.
/// Run: `swift run -c release fleet-bench`.
@main
struct FleetBench {
    static func main() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        let iterations = Int(ProcessInfo.processInfo.environment["FLEET_BENCH_ITERATIONS"] ?? "") ?? 30
        print("fleet-bench: \(iterations) calls per row, sandbox on loopback, in-process MCP client")
        print(pad("tool", 26) + pad("fleet", 7) + pad("history", 9) + pad("median ms", 11) + pad("p95 ms", 9) + "Coder requests/call")
        for size in [1, 10, 50, 200] {
            let env = try await Environment.start()
            try await env.populate(agents: size, history: 0)
            for tool in ["list_agents", "show_agent"] {
                let args: [String: Value] = tool == "list_agents" ? ["limit": 500] : ["agent_name": "bench0"]
                let (median, p95, requests) = try await env.measure(tool, args, iterations: iterations)
                print(pad(tool, 26) + pad("\(size)", 7) + pad("0", 9) + pad(String(format: "%.2f", median), 11) + pad(String(format: "%.2f", p95), 9) + String(format: "%.1f", requests))
            }
            await env.stop()
        }
        for history in [100, 1000] {
            let env = try await Environment.start()
            try await env.populate(agents: 1, history: history)
            for page in Set([1, history / 100]).sorted() {
                let (median, p95, requests) = try await env.measure("show_agent_task_history", ["agent_name": "bench0", "page": .int(page), "page_size": 100], iterations: iterations)
                print(pad("show_agent_task_history p\(page)", 26) + pad("1", 7) + pad("\(history)", 9) + pad(String(format: "%.2f", median), 11) + pad(String(format: "%.2f", p95), 9) + String(format: "%.1f", requests))
            }
            await env.stop()
        }
    }

    static func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count) }

    struct Environment {
        let sandbox: RunningSandbox
        let live: LiveTransport
        let counter: CountingTransport
        let coder: CoderClient
        let client: Client
        let server: Server

        static func start() async throws -> Environment {
            let sandbox = try await RunningSandbox.start(SandboxOptions(port: 0, agentSpeed: 0))
            let live = LiveTransport()
            let counter = CountingTransport(live)
            let coder = CoderClient(baseURL: sandbox.url, token: SessionToken(sandbox.token), transport: counter)
            let server = await FleetMCPServer(fleet: FleetService(coder: coder), version: "bench").makeServer()
            let (a, b) = await InMemoryTransport.createConnectedPair()
            try await server.start(transport: b)
            let client = Client(name: "bench", version: "1")
            _ = try await client.connect(transport: a)
            return Environment(sandbox: sandbox, live: live, counter: counter, coder: coder, client: client, server: server)
        }

        /// Creates agents straight through the Coder API, waits until they run, and adds reports to the first.
        func populate(agents: Int, history: Int) async throws {
            let template = try await coder.templates().first { $0.name == "webshop" }!
            var ids: [String] = []
            for index in 0..<agents {
                ids.append(try await coder.createWorkspace(CreateWorkspaceRequest(
                    name: "agent-bench\(index)", templateID: template.id,
                    richParameterValues: [WorkspaceBuildParameter(name: "AI Prompt", value: "Investigate item \(index)")])).id)
            }
            for id in ids {
                while try await coder.workspace(id: id).latestBuild.resources.flatMap({ $0.agents ?? [] }).first?.lifecycleState != .ready {
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
            if history > 0, let first = ids.first, let token = await sandbox.agentToken(workspaceID: first) {
                for index in 0..<history {
                    try await coder.patchAppStatus(agentToken: SessionToken(token), PatchAppStatus(appSlug: "ccw", state: index % 10 == 9 ? .complete : .working, message: "Step \(index)"))
                }
            }
        }

        func measure(_ tool: String, _ arguments: [String: Value], iterations: Int) async throws -> (Double, Double, Double) {
            _ = try await call(tool, arguments)  // warm caches
            var times: [Double] = []
            let before = counter.count
            for _ in 0..<iterations {
                let start = ContinuousClock.now
                let result = try await call(tool, arguments)
                precondition(result.isError != true, "\(tool) failed: \(result.content)")
                let elapsed = ContinuousClock.now - start
                times.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
            }
            times.sort()
            return (times[times.count / 2], times[min(times.count - 1, Int(Double(times.count) * 0.95))], Double(counter.count - before) / Double(iterations))
        }

        func call(_ tool: String, _ arguments: [String: Value]) async throws -> CallTool.Result {
            let context: RequestContext<CallTool.Result> = try await client.send(CallTool.request(.init(name: tool, arguments: arguments)))
            return try await context.value
        }

        func stop() async {
            await client.disconnect()
            await server.stop()
            try? await sandbox.stop()
            try? await live.shutdown()
        }
    }
}
