import CoderAPI
import CoderSandbox
import Foundation
import Testing
@testable import CoderSandbox

/// Sandbox behaviour beyond the tools: search queries, state transitions, latency, determinism.
@Suite struct SandboxBehaviourTests {
    @Test func workspaceSearchUnderstandsCodersKeys() async throws {
        let env = try await SandboxFleet.start(version: .v2_35)
        defer { Task { await env.stop() } }
        let templates = try await env.coder.templates()
        let webshop = try #require(templates.first { $0.name == "webshop" }), platform = try #require(templates.first { $0.name == "platform" })
        let docker = try #require(templates.first { $0.name == "docker-dev" })
        for (name, template, prompt) in [("agent-a", webshop, "Fix A"), ("agent-b", webshop, "Fix B"), ("agent-c", platform, "Check C"), ("plain", docker, "")] {
            _ = try await env.coder.createWorkspace(CreateWorkspaceRequest(
                name: name, templateID: template.id,
                richParameterValues: prompt.isEmpty ? [] : [WorkspaceBuildParameter(name: "AI Prompt", value: prompt)]))
        }
        func names(_ filter: WorkspaceFilter, limit: Int? = nil, offset: Int? = nil) async throws -> ([String], Int) {
            let page = try await env.coder.workspaces(filter, limit: limit, offset: offset)
            return (page.workspaces.map(\.name), page.count)
        }
        #expect(try await names(WorkspaceFilter(owner: "me")).0 == ["agent-a", "agent-b", "agent-c", "plain"])
        #expect(try await names(WorkspaceFilter(owner: "me", name: "AGENT-")).0 == ["agent-a", "agent-b", "agent-c"])
        #expect(try await names(WorkspaceFilter(template: "platform")).0 == ["agent-c"])
        #expect(try await names(WorkspaceFilter(parameters: [.init(name: "AI Prompt", value: "fix b")])).0 == ["agent-b"])
        #expect(try await names(WorkspaceFilter(parameters: [.init(name: "cpu")])).0 == ["plain"])
        #expect(try await names(WorkspaceFilter(hasAITask: false)).0 == ["plain"])
        #expect(try await names(WorkspaceFilter(status: "pending")).1 + names(WorkspaceFilter(status: "starting")).1 + names(WorkspaceFilter(status: "running")).1 == 4)
        let page = try await names(WorkspaceFilter(owner: "me"), limit: 2, offset: 1)
        #expect(page.0 == ["agent-b", "agent-c"])
        #expect(page.1 == 4, "count is every match, not the page")
        let badLimit = await #expect(throws: CoderAPIError.self) { _ = try await env.coder.workspaces(limit: -1) }
        #expect(badLimit?.message == "Query parameters have invalid values.")
    }

    @Test func buildsAndAgentsMoveThroughCodersStates() async throws {
        let env = try await SandboxFleet.start(version: .v2_35, speed: 0.25)
        defer { Task { await env.stop() } }
        let template = try #require(try await env.coder.templates().first { $0.name == "webshop" })
        let workspace = try await env.coder.createWorkspace(CreateWorkspaceRequest(name: "watched", templateID: template.id))
        var seen: [String] = []
        for _ in 0..<400 {
            let current = try await env.coder.workspace(id: workspace.id)
            let agent = current.latestBuild.resources.flatMap { $0.agents ?? [] }.first
            let state = "\(current.latestBuild.job.status)/\(current.latestBuild.status)/\(agent.map { "\($0.status)/\($0.lifecycleState)" } ?? "-")"
            if seen.last != state { seen.append(state) }
            if agent?.lifecycleState == .ready { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(seen.first == "pending/pending/-")
        #expect(seen.contains("running/starting/-"))
        #expect(seen.contains("succeeded/running/connecting/created"))
        #expect(seen.contains("succeeded/running/connected/starting"))
        #expect(seen.last == "succeeded/running/connected/ready")
    }

    @Test func latencyIsAddedToEveryResponse() async throws {
        let sandbox = try await RunningSandbox.start(SandboxOptions(port: 0, latency: .milliseconds(150), agentSpeed: 0))
        let live = LiveTransport()
        defer { Task { try? await sandbox.stop(); try? await live.shutdown() } }
        let coder = CoderClient(baseURL: sandbox.url, token: SessionToken(sandbox.token), transport: live)
        let started = ContinuousClock.now
        _ = try await coder.buildInfo()
        #expect(ContinuousClock.now - started >= .milliseconds(150))
    }

    @Test func appStatusPatchAnswersJSONNull() async throws {
        let env = try await SandboxFleet.start(version: .v2_27)
        defer { Task { await env.stop() } }
        let template = try #require(try await env.coder.templates().first { $0.name == "webshop" })
        let workspace = try await env.coder.createWorkspace(CreateWorkspaceRequest(name: "nully", templateID: template.id))
        while try await env.coder.workspace(id: workspace.id).latestBuild.resources.flatMap({ $0.agents ?? [] }).first?.lifecycleState != .ready {
            try await Task.sleep(for: .milliseconds(10))
        }
        let token = try #require(await env.sandbox.agentToken(workspaceID: workspace.id))
        let response = try await env.coder.send("PATCH", "/api/v2/workspaceagents/me/app-status",
                                                body: PatchAppStatus(appSlug: "ccw", state: .working, message: "Hi"),
                                                headers: [(name: SessionToken.headerName, value: token)])
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "null")
    }

    @Test func agentsDecideTheSameWayForTheSameSeed() {
        let prompts = ["Fix the login bug", "Investigate the slow deploys", "[needs-input] Review the PR", "[fail] Run migrations", "[slow] Refactor pricing"]
        for prompt in prompts {
            #expect(TurnPlanner.plan(prompt: prompt, seed: 42) == TurnPlanner.plan(prompt: prompt, seed: 42))
        }
        #expect(TurnPlanner.plan(prompt: "Fix the login bug", seed: 42).outcome == .complete(summary: "Done: Fix the login bug. Tests pass; pull request opened.", pullRequest: true))
        if case .needsInput = TurnPlanner.plan(prompt: "[needs-input] Review the PR", seed: 1).outcome {} else { Issue.record("[needs-input] asks") }
        #expect(TurnPlanner.plan(prompt: "[fail] Run migrations", seed: 1).outcome == .crash)
        #expect(TurnPlanner.plan(prompt: "[slow] Investigate", seed: 1).slow)
        #expect(TurnPlanner.plan(prompt: String(repeating: "Fix everything ", count: 40), seed: 3).steps.allSatisfy { $0.count <= 160 })
    }
}
