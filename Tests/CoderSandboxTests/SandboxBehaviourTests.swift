import CoderAPI
import Foundation
import Testing

@testable import CoderSandbox

/// Sandbox behaviour beyond single answers: search queries, state transitions, latency, determinism.
@Suite struct SandboxBehaviourTests {
    @Test func workspaceSearchUnderstandsCodersKeys() async throws {
        // 2.29: the templates still declare `AI Prompt` (the 2.30+ modes drop it, as coderd no longer fills it).
        try await withSandbox(.testing(.v2_29)) { sandbox in
            let http = SandboxHTTP(sandbox)
            for (name, template, prompt) in [
                ("agent-a", "webshop", "Fix A"), ("agent-b", "webshop", "Fix B"), ("agent-c", "platform", "Check C"),
                ("plain", "docker-dev", ""),
            ] {
                _ = try await http.createWorkspace(name, template: template, prompt: prompt.isEmpty ? nil : prompt)
            }
            func names(_ query: String) async throws -> ([String], Int) {
                let page: WorkspacesResponse = try await http.json(.GET, "/api/v2/workspaces?" + query)
                return (page.workspaces.map(\.name), page.count)
            }
            #expect(try await names("q=owner:me").0 == ["agent-a", "agent-b", "agent-c", "plain"])
            #expect(try await names("q=owner:me%20name:AGENT-").0 == ["agent-a", "agent-b", "agent-c"])
            #expect(try await names("q=template:platform").0 == ["agent-c"])
            #expect(try await names("q=param:%22ai%20prompt=fix%20b%22").0 == ["agent-b"])
            #expect(try await names("q=param:cpu").0 == ["plain"])
            #expect(try await names("q=has-ai-task:false").0 == ["plain"])
            try await eventually("every build to finish") { try await names("q=status:running").1 == 4 }
            #expect(try await names("q=status:pending").1 == 0)
            #expect(try await names("q=status:stopped").1 == 0)
            let page = try await names("q=owner:me&limit=2&offset=1")
            #expect(page.0 == ["agent-b", "agent-c"])
            #expect(page.1 == 4, "count is every match, not the page")
            let badLimit = try await http.get("/api/v2/workspaces?limit=-1")
            #expect(badLimit.status == 400)
            #expect(badLimit.message == "Query parameters have invalid values.")
            let badKey = try await http.get("/api/v2/workspaces?q=colour:red")
            #expect(badKey.status == 400)
            #expect(badKey.message == "Invalid workspace search query.")
        }
    }

    @Test func buildsAndAgentsMoveThroughCodersStates() async throws {
        try await withSandbox(.testing(timeScale: 0.25)) { sandbox in
            let http = SandboxHTTP(sandbox)
            let workspace = try await http.createWorkspace("watched")
            var seen: [String] = []
            for _ in 0..<400 {
                let current = try await http.workspace(workspace.id)
                let agent = current.latestBuild.resources.flatMap { $0.agents ?? [] }.first
                let state =
                    "\(current.latestBuild.job.status)/\(current.latestBuild.status)/"
                    + (agent.map { "\($0.status)/\($0.lifecycleState)" } ?? "-")
                if seen.last != state { seen.append(state) }
                if agent?.lifecycleState == .ready { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            // Coder's order; a loaded machine's polling may miss a short-lived step, never reorder them.
            let order = [
                "pending/pending/-", "running/starting/-", "succeeded/running/connecting/created", "succeeded/running/connected/starting",
                "succeeded/running/connected/ready",
            ]
            #expect(seen.first == "pending/pending/-")
            #expect(seen.last == "succeeded/running/connected/ready")
            let positions = seen.compactMap { order.firstIndex(of: $0) }
            #expect(positions.count == seen.count, "only Coder's states: \(seen)")
            #expect(positions == positions.sorted(), "in Coder's order: \(seen)")
            #expect(seen.count >= 3, "the build and the agent were seen on their way: \(seen)")
        }
    }

    @Test func latencyIsAddedToEveryResponse() async throws {
        try await withSandbox(.testing(latency: .milliseconds(150))) { sandbox in
            let http = SandboxHTTP(sandbox)
            for target in ["/api/v2/buildinfo", "/api/v2/nowhere", "/@alice/x/apps/ccw/status"] {
                let started = ContinuousClock.now
                _ = try await http.get(target)
                #expect(ContinuousClock.now - started >= .milliseconds(150), "\(target)")
            }
        }
    }

    @Test func appStatusPatchAnswersJSONNull() async throws {
        try await withSandbox(.testing(.v2_27)) { sandbox in
            let http = SandboxHTTP(sandbox)
            let workspace = try await http.createWorkspace("nully")
            try await eventually("the agent to be ready") {
                try await http.workspace(workspace.id).latestBuild.resources.flatMap { $0.agents ?? [] }.first?.lifecycleState == .ready
            }
            let token = try #require(await sandbox.agentToken(workspaceID: workspace.id))
            let answer = try await http.send(
                .PATCH, "/api/v2/workspaceagents/me/app-status",
                json: PatchAppStatus(appSlug: "ccw", state: .working, message: "Hi"), token: token)
            #expect(answer.status == 200)
            #expect(answer.text.trimmingCharacters(in: .whitespacesAndNewlines) == "null")
            let tooLong = try await http.send(
                .PATCH, "/api/v2/workspaceagents/me/app-status",
                json: PatchAppStatus(appSlug: "ccw", state: .working, message: String(repeating: "x", count: 161)),
                token: token)
            #expect(tooLong.status == 400)
            #expect(tooLong.message == "Message is too long.")
        }
    }

    @Test func agentsDecideTheSameWayForTheSameSeed() {
        let prompts = [
            "Fix the login bug", "Investigate the slow deploys", "[needs-input] Review the PR", "[fail] Run migrations",
            "[slow] Refactor pricing",
        ]
        for prompt in prompts {
            #expect(TurnPlanner.plan(prompt: prompt, seed: 42) == TurnPlanner.plan(prompt: prompt, seed: 42))
        }
        #expect(
            TurnPlanner.plan(prompt: "Fix the login bug", seed: 42).outcome
                == .complete(summary: "Done: Fix the login bug. Tests pass; pull request opened.", pullRequest: true))
        if case .needsInput = TurnPlanner.plan(prompt: "[needs-input] Review the PR", seed: 1).outcome {} else { Issue.record("[needs-input] asks") }
        #expect(TurnPlanner.plan(prompt: "[fail] Run migrations", seed: 1).outcome == .crash)
        #expect(TurnPlanner.plan(prompt: "[slow] Investigate", seed: 1).slow)
        #expect(TurnPlanner.plan(prompt: String(repeating: "Fix everything ", count: 40), seed: 3).steps.allSatisfy { $0.count <= 160 })
    }

    @Test func timeScaleMultipliesSimulatedDelays() async throws {
        // A start build takes 0.4 + 1.6 simulated seconds: at 0.02 that is 40 ms, at 0.5 one second.
        // The upper bound of the fast case allows for a loaded machine; the lower bound of the slow one cannot be cheated.
        for (scale, atLeast, atMost) in [(0.02, Duration.zero, Duration.seconds(3)), (0.5, .milliseconds(950), .seconds(15))] {
            try await withSandbox(.testing(timeScale: scale)) { sandbox in
                let http = SandboxHTTP(sandbox)
                let started = ContinuousClock.now
                let workspace = try await http.createWorkspace("timed")
                try await eventually("the build to finish") { try await http.workspace(workspace.id).latestBuild.job.status == .succeeded }
                let took = ContinuousClock.now - started
                #expect(took >= atLeast && took <= atMost, "time scale \(scale): the build took \(took)")
            }
        }
    }
}
