import CoderAPI
import CoderSandbox
import Fleet
import Foundation
import MCP
import Testing

/// A seed file (YAML) with its own templates and pre-existing agents with history, seen through the tools
/// (the sandbox's own view of it: `Tests/CoderSandboxTests/SandboxSeedTests.swift`).
@Suite struct SandboxSeedTests {
    /// The seed both suites use: `Tests/Fixtures/acme-seed.yaml`.
    static let yaml = try! String(
        contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/acme-seed.yaml"), encoding: .utf8)

    @Test func seededAgentsAndTemplatesAreServed() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("seed-\(UUID().uuidString).yaml")
        try Self.yaml.write(to: file, atomically: true, encoding: .utf8)
        let seed = try SandboxSeed.load(file)
        let env = try await SandboxFleet.start(version: .v2_35, seed: seed)
        let mcp = try await MCPHarness.connect(env.fleet)
        defer {
            Task {
                await mcp.close()
                await env.stop()
            }
        }

        #expect(try await env.coder.user().username == "bob")
        let projects = try await mcp.ok("list_agent_projects")
        #expect(projects["projects"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["api"])
        let listed = try await mcp.ok("list_agents")
        let agents = listed["agents"]?.arrayValue ?? []
        #expect(agents.compactMap { $0["name"]?.stringValue } == ["old", "parked"])
        #expect(agents.first?["status"]?.stringValue == "complete")
        #expect(agents.first?["role"]?.stringValue == "Fixer")
        #expect(agents.first?["pull_request"]?.stringValue == "https://github.com/acme/api/pull/7")
        #expect(agents.last?["status"]?.stringValue == "stopped")
        let history = try await mcp.ok("show_agent_task_history", ["agent_name": "old"])
        #expect(history["tasks"]?.arrayValue?.compactMap { $0["message"]?.stringValue } == ["Fixed", "Reading the handlers"])
        let parked = try await mcp.failure("start_agent_task", ["agent_name": "parked", "task_description": "go"])
        #expect(parked.contains("restart_agent"))
    }
}
