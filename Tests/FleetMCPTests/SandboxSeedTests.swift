import CoderAPI
import CoderSandbox
import Fleet
import Foundation
import MCP
import Testing

/// A seed file (YAML) with its own templates and pre-existing agents with history, seen through the tools
/// (the sandbox's own view of it: `Tests/CoderSandboxTests/SandboxSeedTests.swift`).
@Suite struct SandboxSeedTests {
    static let yaml = """
        random_seed: 7
        organization: { name: acme, display_name: ACME }
        users:
          - { username: bob, name: Bob, email: bob@example.com }
        templates:
          - name: api
            display_name: API
            description: The public API
            repository: acme/api
            ai_task: true
            parameters:
              - { name: AI Prompt, description: Prompt }
              - { name: system_prompt, description: System prompt, mutable: false }
            presets:
              - { name: Builder, default: true, parameters: { system_prompt: "Build things." } }
              - { name: Fixer, parameters: { system_prompt: "Fix things." } }
          - { name: scratch, display_name: Scratch, description: Not a project, ai_task: false }
        agents:
          - workspace: agent-old
            template: api
            preset: Fixer
            prompt: Fix the pagination bug
            history:
              - { state: working, message: Reading the handlers }
              - { state: complete, message: Fixed, uri: "https://github.com/acme/api/pull/7" }
          - { workspace: agent-parked, template: api, prompt: Investigate latency, state: stopped }
        """

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
