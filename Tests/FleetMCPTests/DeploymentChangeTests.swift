import CoderAPI
import CoderSandbox
import Fleet
import FleetMCP
import Foundation
import MCP
import Testing

/// Coder changing under a running server: a tasks API that disappears is noticed once, on any tasks route
/// (creation included), and every later call goes straight to AgentAPI.
@Suite struct DeploymentChangeTests {
    @Test(arguments: [TasksAPIGeneration.stable, .experimental])
    func aMissingTasksAPIIsDemotedOnceForEveryRoute(_ believed: TasksAPIGeneration) async throws {
        try await withSandbox(SandboxOptions(port: 0, coderVersion: .v2_38, timeScale: 0.02)) { sandbox in
            let live = LiveTransport()
            let counter = CountingTransport(live)
            let coder = CoderClient(baseURL: sandbox.url, token: SessionToken(sandbox.token), transport: counter)
            // As if fleet-mcp had detected tasks on this deployment before it was upgraded.
            let fleet = FleetService(coder: coder, configuration: FleetConfiguration(tasksAPI: believed, pollInterval: .milliseconds(20)))
            try await MCPHarness.with(fleet) { mcp in
                _ = try await mcp.ok("create_agent", ["name": "moved", "project": "webshop", "task": "Fix the cart badge"])
                _ = try await mcp.ok("wait_for_agent", ["agent_name": "moved", "until": "settled", "timeout_seconds": 30])
                _ = try await mcp.ok("start_agent_task", ["agent_name": "moved", "task_description": "Add a test"])
                _ = try await mcp.ok("wait_for_agent", ["agent_name": "moved", "until": "settled", "timeout_seconds": 30])
                let log = try await mcp.ok("show_agent_log", ["agent_name": "moved", "page_size": 20])
                #expect(log["source"]?.stringValue == "agentapi")
                #expect(strings(log["logs"], "content").contains("Add a test"))
                let shown = try await mcp.ok("show_agent", ["agent_name": "moved"])
                #expect(shown["tasks_api"]?.stringValue == "none")
            }
            let tasksRequests = counter.requests.filter { $0.url.path.contains("/tasks") }
            #expect(tasksRequests.count <= 2, "one failed request per missing API, then none: \(tasksRequests.map(\.description))")
            try await live.shutdown()
        }
    }
}
