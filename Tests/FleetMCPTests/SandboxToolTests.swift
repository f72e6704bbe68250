import CoderAPI
import CoderSandbox
import Fleet
import FleetMCP
import Foundation
import MCP
import Testing

/// The whole toolset against the embedded sandbox, on each Coder generation.
@Suite(.serialized) struct SandboxToolTests {
    /// Waits (through the tool) until the agent reaches one of `statuses`.
    func wait(_ mcp: MCPHarness, _ agent: String, until: String) async throws -> [String: Value] {
        let result = try await mcp.ok("wait_for_agent", ["agent_name": .string(agent), "until": .string(until), "timeout_seconds": 30])
        #expect(result["timed_out"]?.boolValue == false, "\(agent) did not reach \(until): \(result)")
        return result
    }

    @Test func fullLifecycleOnCoder235() async throws {
        try await SandboxFleet.with(version: .v2_35) { env, mcp in

            let projects = try await mcp.ok("list_agent_projects")
            #expect(projects["projects"]?.arrayValue?.compactMap { item in item["name"]?.stringValue } == ["platform", "webshop"])
            let roles = try await mcp.ok("list_agent_roles", ["project": "Webshop"])
            #expect(roles["roles"]?.arrayValue?.compactMap { item in item["name"]?.stringValue } == ["Coder", "Operator", "Reviewer"])
            #expect(roles["default_role"]?.stringValue == "Coder")
            let reviewer = try #require(
                roles["roles"]?.arrayValue?.first { item in item["name"]?.stringValue == "Reviewer" }?["preset_id"]?.stringValue)

            let created = try await mcp.ok(
                "create_agent", ["name": "rex", "project": "webshop", "task": "Fix the checkout rounding bug", "role": "reviewer"])
            #expect(["pending", "starting"].contains(created["status"]?.stringValue ?? ""))
            #expect(created["role"]?.stringValue == "Reviewer")
            // The role is applied: the build carries the preset and its system prompt.
            let workspace = try await env.coder.workspace(owner: "me", name: "agent-rex")
            #expect(workspace.latestBuild.templateVersionPresetID == reviewer)
            let parameters: [WorkspaceBuildParameter] = try await env.coder.get(
                CoderClient.path("/api/v2/workspacebuilds", workspace.latestBuild.id, "parameters"))
            #expect(parameters.first { $0.name == "system_prompt" }?.value.contains("code reviewer") == true)
            // 2.35: coderd's tasksCreate no longer fills `AI Prompt` (from v2.30.0 coderd/aitasks.go; v2.29.0 aitasks.go:132–150
            // filled it only when declared) and the sandbox's 2.30+ templates do not declare it: the task carries the prompt.
            #expect(parameters.first { $0.name == "AI Prompt" } == nil)

            let duplicate = try await mcp.failure("create_agent", ["name": "REX", "project": "webshop", "task": "again"])
            #expect(duplicate.contains("already exists"))

            let done = try await wait(mcp, "rex", until: "settled")
            #expect(done["status"]?.stringValue == "complete")
            #expect(done["pull_request"]?.stringValue?.hasPrefix("https://github.com/acme/webshop/pull/") == true)
            if done["previous_status"]?.stringValue != "complete" {
                #expect((done["new_reports"]?.arrayValue?.count ?? 0) >= 1, "the completion arrived while waiting")
            }

            let shown = try await mcp.ok("show_agent", ["agent_name": "rex"])
            #expect(shown["agent"]?["role"]?.stringValue == "Reviewer")
            #expect(shown["task_prompt"]?.stringValue == "Fix the checkout rounding bug")
            #expect(shown["pull_request"]?["forge"]?.stringValue == "github")
            #expect(shown["pull_request"]?["repository"]?.stringValue == "acme/webshop")
            #expect(shown["tasks_api"]?.stringValue == "stable")
            #expect(shown["workspace_agent"]?["lifecycle"]?.stringValue == "ready")

            let history = try await mcp.ok("show_agent_task_history", ["agent_name": "rex"])
            let states = strings(history["tasks"], "state")
            #expect(states.first == "complete")
            #expect(states.dropFirst().allSatisfy { $0 == "working" })

            let log = try await mcp.ok("show_agent_log", ["agent_name": "rex", "page_size": 10])
            #expect(
                log["logs"]?.arrayValue?.contains {
                    $0["type"]?.stringValue == "input" && $0["content"]?.stringValue == "Fix the checkout rounding bug"
                } == true)

            // A question from the agent, answered with start_agent_task.
            _ = try await mcp.ok("start_agent_task", ["agent_name": "rex", "task_description": "[needs-input] Should totals round half-even"])
            let asking = try await wait(mcp, "rex", until: "needs_input")
            #expect(asking["last_task"]?.stringValue?.contains("Need input") == true)
            _ = try await mcp.ok("start_agent_task", ["agent_name": "rex", "task_description": "Use half-even and update the tests"])
            _ = try await wait(mcp, "rex", until: "complete")

            // Cancel a slow turn.
            _ = try await mcp.ok("start_agent_task", ["agent_name": "rex", "task_description": "[slow] Refactor the pricing module"])
            _ = try await wait(mcp, "rex", until: "busy")
            let busy = try await mcp.failure("start_agent_task", ["agent_name": "rex", "task_description": "another"])
            #expect(busy.contains("busy") && busy.contains("wait_for_agent or cancel_agent_task"))
            _ = try await mcp.ok("cancel_agent_task", ["agent_name": "rex"])
            let idle = try await wait(mcp, "rex", until: "idle")
            #expect(idle["last_task"]?.stringValue?.contains("Interrupted") == true)
            let notBusy = try await mcp.failure("cancel_agent_task", ["agent_name": "rex"])
            #expect(notBusy.contains("not busy"))

            // Restart, then delete.
            let restarted = try await mcp.ok("restart_agent", ["agent_name": "rex"])
            #expect(restarted["build_id"]?.stringValue != nil)
            _ = try await wait(mcp, "rex", until: "idle")
            let rebuilt = try await env.coder.workspace(owner: "me", name: "agent-rex")
            #expect(rebuilt.latestBuild.buildNumber == 3)
            #expect(rebuilt.latestBuild.transition == .start)

            let deleted = try await mcp.ok("delete_agent", ["agent_name": "rex"])
            #expect(deleted["status"]?.stringValue == "deleting")
            _ = try await mcp.ok("wait_for_agent", ["agent_name": "rex", "until": "deleted", "timeout_seconds": 10])
            let after = try await mcp.ok("list_agents")
            #expect(after["agents"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test(arguments: [SandboxVersion.v2_27, .v2_37])
    func tasksReachTheAgentOnEveryGeneration(version: SandboxVersion) async throws {
        try await SandboxFleet.with(version: version) { env, mcp in
            _ = try await mcp.ok("create_agent", ["name": "gen", "project": "platform", "task": "Investigate the slow deploys"])
            let first = try await wait(mcp, "gen", until: "settled")
            #expect(first["status"]?.stringValue == "complete")
            _ = try await mcp.ok("start_agent_task", ["agent_name": "gen", "task_description": "Add a deploy timing dashboard"])
            _ = try await wait(mcp, "gen", until: "complete")
            let log = try await mcp.ok("show_agent_log", ["agent_name": "gen", "page_size": 20])
            let inputs =
                log["logs"]?.arrayValue?.filter { item in item["type"]?.stringValue == "input" }.compactMap { item in item["content"]?.stringValue }
                ?? []
            #expect(inputs == ["Add a deploy timing dashboard", "Investigate the slow deploys"])
            #expect(log["source"]?.stringValue == (version == .v2_37 ? "agentapi" : "tasks_api"))
            let shown = try await mcp.ok("show_agent", ["agent_name": "gen"])
            #expect(shown["tasks_api"]?.stringValue == (version == .v2_37 ? "none" : "experimental"))
            #expect(shown["task_prompt"]?.stringValue == "Investigate the slow deploys")
        }
    }

    /// The Coder backend asks AgentAPI whether the agent works at most once per tool call: on 2.37+ the status
    /// check before sending and the refusal check of the channel were two `/status` requests (issue 17).
    @Test func startTaskAsksAgentAPIStatusOnce() async throws {
        try await SandboxFleet.with(version: .v2_37) { env, mcp in
            _ = try await mcp.ok("create_agent", ["name": "once", "project": "webshop", "task": "Read the README"])
            _ = try await wait(mcp, "once", until: "settled")
            env.counter.reset()
            _ = try await mcp.ok("start_agent_task", ["agent_name": "once", "task_description": "Fix the login bug"])
            let statusReads = env.counter.requests.filter { $0.method == "GET" && $0.url.path.hasSuffix("/status") }
            #expect(statusReads.count == 1, "AgentAPI /status requests: \(env.counter.requests.map(\.pathAndQuery))")
            #expect(env.counter.requests.contains { $0.method == "POST" && $0.url.path.hasSuffix("/message") })
        }
    }

    @Test(arguments: [SandboxVersion.v2_27, .v2_35, .v2_37])
    func waitRightAfterStartFollowsTheNewTurn(version: SandboxVersion) async throws {
        try await SandboxFleet.with(version: version, speed: 0.1) { env, mcp in
            _ = try await mcp.ok("create_agent", ["name": "quick", "project": "webshop", "task": "Read the README"])
            _ = try await wait(mcp, "quick", until: "settled")
            _ = try await mcp.ok("start_agent_task", ["agent_name": "quick", "task_description": "Fix the login bug"])
            let shown = try await mcp.ok("show_agent", ["agent_name": "quick"])
            #expect(shown["agent"]?["status"]?.stringValue == "busy", "the reports lag; AgentAPI already runs the new turn")
            let done = try await wait(mcp, "quick", until: "settled")
            #expect(done["last_task"]?.stringValue?.hasPrefix("Done: Fix the login bug") == true)
            #expect(done["new_reports"]?.arrayValue?.isEmpty == false)
        }
    }

    @Test func listAgentsCostsOneRequestWhateverTheFleetSize() async throws {
        try await SandboxFleet.with(version: .v2_35) { env, mcp in
            var costs: [Int: Int] = [:]
            var created = 0
            for size in [1, 8] {
                while created < size {
                    created += 1
                    _ = try await mcp.ok(
                        "create_agent",
                        ["name": .string("bot\(created)"), "project": created % 2 == 0 ? "platform" : "webshop", "task": "Investigate flaky tests"])
                }
                _ = try await mcp.ok("list_agents")  // warms the immutable caches
                env.counter.reset()
                let listed = try await mcp.ok("list_agents")
                #expect(listed["total_count"]?.intValue == size)
                costs[size] = env.counter.requests.count
            }
            #expect(costs == [1: 1, 8: 1], "Coder requests per list_agents call by fleet size: \(costs)")
        }
    }

    @Test func refusalsSayWhatToDo() async throws {
        try await SandboxFleet.with(version: .v2_35, speed: 0.3) { env, mcp in
            _ = try await mcp.ok("create_agent", ["name": "early", "project": "webshop", "task": "Investigate"])
            let starting = try await mcp.failure("start_agent_task", ["agent_name": "early", "task_description": "hi"])
            #expect(starting.contains("still") && starting.contains("wait_for_agent"))
            let notProject = try await mcp.failure("create_agent", ["name": "x", "project": "docker-dev", "task": "t"])
            #expect(notProject.contains("not a fleet project"))
            let unknownTool = await #expect(throws: (any Error).self) { _ = try await mcp.call("launch_rocket") }
            #expect("\(unknownTool!)".contains("Unknown tool"))
            let waitBad = try await mcp.failure("wait_for_agent", ["agent_name": "early", "until": "asleep"])
            #expect(waitBad.contains("Unknown until"))
            let typeBad = try await mcp.failure("show_agent_task_history", ["agent_name": "early", "page": "two"])
            #expect(typeBad.contains("page must be an integer"))
        }
    }

    @Test func aCrashedClaudeIsFailedWithAReason() async throws {
        try await SandboxFleet.with(version: .v2_35) { env, mcp in
            _ = try await mcp.ok("create_agent", ["name": "crashy", "project": "webshop", "task": "[fail] Run the migrations"])
            let settled = try await mcp.ok("wait_for_agent", ["agent_name": "crashy", "until": "failed", "timeout_seconds": 30])
            #expect(settled["status"]?.stringValue == "failed")
            #expect(settled["status_reason"]?.stringValue?.contains("unhealthy") == true)
            let refused = try await mcp.failure("start_agent_task", ["agent_name": "crashy", "task_description": "again"])
            #expect(refused.contains("restart_agent"))
            _ = try await mcp.ok("restart_agent", ["agent_name": "crashy"])
            let revived = try await mcp.ok("wait_for_agent", ["agent_name": "crashy", "until": "idle", "timeout_seconds": 30])
            #expect(revived["status"]?.stringValue == "idle")
        }
    }

    @Test func aFailedBuildIsFailedWithTheJobError() async throws {
        try await SandboxFleet.with(version: .v2_35) { env, mcp in
            _ = try await mcp.ok("create_agent", ["name": "broken", "project": "platform", "task": "[build-fail] Deploy"])
            let settled = try await mcp.ok("wait_for_agent", ["agent_name": "broken", "until": "settled", "timeout_seconds": 30])
            #expect(settled["status"]?.stringValue == "failed")
            #expect(settled["status_reason"]?.stringValue?.hasPrefix("build failed: terraform apply") == true)
        }
    }

    @Test func waitReturnsPromptlyWhenCancelled() async throws {
        try await SandboxFleet.with(version: .v2_35) { env, mcp in
            _ = try await mcp.ok("create_agent", ["name": "waiter", "project": "webshop", "task": "Investigate"])
            _ = try await wait(mcp, "waiter", until: "settled")
            let context: RequestContext<CallTool.Result> = try await mcp.client.send(
                CallTool.request(.init(name: "wait_for_agent", arguments: ["agent_name": "waiter", "until": "busy", "timeout_seconds": 30])))
            try await Task.sleep(for: .milliseconds(200))
            let started = ContinuousClock.now
            try await mcp.client.cancelRequest(context.requestID, reason: "test")
            _ = try? await context.value
            #expect(ContinuousClock.now - started < .seconds(10), "cancelled, not the 30 s wait")
        }
    }
}

/// Coder's HTTP semantics in the sandbox, checked with the typed client.
@Suite struct SandboxSemanticsTests {
    @Test func errorsAreCoders() async throws {
        try await SandboxFleet.with(version: .v2_35) { env in
            let anonymous = CoderClient(baseURL: env.sandbox.url, token: nil, transport: env.live, retry: .none)
            let unauthorized = await #expect(throws: CoderAPIError.self) { _ = try await anonymous.user() }
            #expect(unauthorized?.status == 401)
            #expect(unauthorized?.message == "You are signed out or your session has expired. Please sign in again to continue.")
            _ = try await anonymous.buildInfo()  // no auth needed

            let notUUID = await #expect(throws: CoderAPIError.self) { _ = try await env.coder.workspace(id: "non-existent-id") }
            #expect(notUUID?.status == 400 && notUUID?.message == "Invalid UUID \"non-existent-id\".")
            let unknown = await #expect(throws: CoderAPIError.self) { _ = try await env.coder.workspace(id: "00000000-0000-4000-8000-000000000000") }
            #expect(unknown?.status == 404)
            let route = await #expect(throws: CoderAPIError.self) { _ = try await env.coder.send("GET", "/api/v2/nothing-here") }
            #expect(route?.status == 404 && route?.message == "Route not found.")
            let query = await #expect(throws: CoderAPIError.self) {
                _ = try await env.coder.get(
                    "/api/v2/workspaces", query: [URLQueryItem(name: "q", value: "flavour:vanilla")], as: WorkspacesResponse.self)
            }
            #expect(query?.status == 400 && query?.message == "Invalid workspace search query.")

            let template = try #require(try await env.coder.templates().first { $0.name == "webshop" })
            let badName = await #expect(throws: CoderAPIError.self) {
                _ = try await env.coder.createWorkspace(CreateWorkspaceRequest(name: "agent-invalid@name", templateID: template.id))
            }
            #expect(
                badName?.status == 400
                    && badName?.validation(for: "name")?.detail == "Validation failed for tag \"workspace_name\" with value: \"agent-invalid@name\"")
            let workspace = try await env.coder.createWorkspace(CreateWorkspaceRequest(name: "plain", templateID: template.id))
            #expect(workspace.latestBuild.status == .pending)
            let busy = await #expect(throws: CoderAPIError.self) {
                _ = try await env.coder.createBuild(workspaceID: workspace.id, CreateWorkspaceBuildRequest(transition: .stop))
            }
            #expect(busy?.status == 409 && busy?.message == "A workspace build is already active.")
            let dup = await #expect(throws: CoderAPIError.self) {
                _ = try await env.coder.createWorkspace(CreateWorkspaceRequest(name: "plain", templateID: template.id))
            }
            #expect(dup?.status == 409 && dup?.message == "Workspace \"plain\" already exists.")

            // The build moves pending → running → succeeded with real timestamps; the agent comes up.
            var current = workspace
            for _ in 0..<200
            where
                !(current.latestBuild.status == .running && current.latestBuild.resources.flatMap { $0.agents ?? [] }.first?.lifecycleState == .ready)
            {
                try await Task.sleep(for: .milliseconds(20))
                current = try await env.coder.workspace(id: workspace.id)
            }
            let job = current.latestBuild.job
            #expect(job.status == .succeeded)
            #expect(job.startedAt != nil && job.completedAt != nil && job.startedAt! <= job.completedAt!)
            let agent = try #require(current.latestBuild.resources.flatMap { $0.agents ?? [] }.first)
            #expect(agent.status == .connected && agent.lifecycleState == .ready)

            // Coder's screen watcher reports idle once AgentAPI is stable (no prompt here).
            for _ in 0..<200 where current.latestAppStatus == nil {
                try await Task.sleep(for: .milliseconds(20))
                current = try await env.coder.workspace(id: workspace.id)
            }
            #expect(current.latestAppStatus?.state == .idle)

            // Agent-token status reports, with Coder's validation.
            let token = try #require(await env.sandbox.agentToken(workspaceID: workspace.id))
            try await env.coder.patchAppStatus(agentToken: SessionToken(token), PatchAppStatus(appSlug: "ccw", state: .working, message: "Reading"))
            let long = await #expect(throws: CoderAPIError.self) {
                try await env.coder.patchAppStatus(
                    agentToken: SessionToken(token), PatchAppStatus(appSlug: "ccw", state: .working, message: String(repeating: "x", count: 161)))
            }
            #expect(long?.message == "Message is too long.")
            let state = await #expect(throws: CoderAPIError.self) {
                try await env.coder.patchAppStatus(
                    agentToken: SessionToken(token), PatchAppStatus(appSlug: "ccw", state: .unknown("sleeping"), message: "zz"))
            }
            #expect(state?.message == "Invalid state provided.")
            let slug = await #expect(throws: CoderAPIError.self) {
                try await env.coder.patchAppStatus(agentToken: SessionToken(token), PatchAppStatus(appSlug: "nope", state: .idle, message: "zz"))
            }
            #expect(slug?.message == "Failed to get workspace app.")
            let reported = try await env.coder.workspace(id: workspace.id)
            #expect(reported.latestAppStatus?.message == "Reading")

            // Deleting: 201 build, then 410 for the workspace.
            let delete = try await env.coder.createBuild(workspaceID: workspace.id, CreateWorkspaceBuildRequest(transition: .delete))
            #expect(delete.transition == .delete)
            var gone: CoderAPIError?
            for _ in 0..<200 where gone == nil {
                try await Task.sleep(for: .milliseconds(20))
                do { _ = try await env.coder.workspace(id: workspace.id) } catch let error as CoderAPIError { gone = error }
            }
            #expect(gone?.status == 410)
        }
    }

    @Test func tasksAPIExistsPerVersion() async throws {
        for (version, experimental, stable) in [(SandboxVersion.v2_27, true, false), (.v2_35, true, true), (.v2_37, false, false)] {
            let env = try await SandboxFleet.start(version: version)
            let info = try await env.coder.buildInfo()
            #expect(
                CoderCapabilities.forVersion(info.version)?.tasksAPI == (stable ? .stable : experimental ? .experimental : TasksAPIGeneration.none))
            for (generation, expected) in [(TasksAPIGeneration.experimental, experimental), (.stable, stable)] {
                do {
                    _ = try await env.coder.tasks(generation)
                    #expect(expected, "\(generation) should not exist on \(version)")
                } catch let error as CoderAPIError {
                    #expect(!expected && error.status == 404 && error.message == "Route not found.", "\(generation) on \(version): \(error)")
                }
            }
            await env.stop()
        }
    }
}

/// Least privilege and identifiers.
@Suite struct ToolSelectionTests {
    @Test func readOnlyAndAllowlistNarrowTheToolset() async throws {
        try await SandboxFleet.with(version: .v2_35) { env in
            let readOnly = FleetMCPServer(fleet: env.fleet, version: "t", readOnly: true)
            #expect(
                readOnly.definitions.map(\.name).sorted() == [
                    "list_agent_projects", "list_agent_roles", "list_agents", "show_agent",
                    "show_agent_log", "show_agent_task_history", "wait_for_agent", "wait_for_fleet",
                ])
            let error = await #expect(throws: MCPError.self) {
                _ = try await readOnly.call("create_agent", arguments: ["name": "x", "project": "webshop", "task": "t"])
            }
            #expect("\(error!)".contains("Unknown tool 'create_agent'"))
            let allowed = FleetMCPServer(fleet: env.fleet, version: "t", allowedTools: ["list_agents", "show_agent"])
            #expect(allowed.definitions.map(\.name) == ["list_agents", "show_agent"])
        }
    }

    @Test func agentsCanBeNamedByWorkspaceID() async throws {
        try await SandboxFleet.with(version: .v2_35) { env, mcp in
            let created = try await mcp.ok("create_agent", ["name": "byid", "project": "webshop", "task": "Investigate"])
            let id = try #require(created["workspace_id"]?.stringValue)
            let shown = try await mcp.ok("show_agent", ["agent_name": .string(id.uppercased())])
            #expect(shown["agent"]?["name"]?.stringValue == "byid")
            let other = try await env.coder.createWorkspace(
                CreateWorkspaceRequest(name: "not-an-agent", templateID: try await env.coder.templates().first { $0.name == "webshop" }!.id))
            let refused = try await mcp.failure("show_agent", ["agent_name": .string(other.id)])
            #expect(refused.contains("No agent of yours has workspace id"), "a workspace outside the fleet is not an agent")
        }
    }
}
