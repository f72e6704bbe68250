import CoderAPI
import Fleet
import Foundation
import MCP
import Testing

/// Each tool, end to end over MCP, against traffic recorded from a real Coder v2.27.1.
@Suite struct RecordedTrafficToolTests {
    @Test func listAgentProjects() async throws {
        let recorded = try RecordedFleet(["test_list_agent_projects_success.yaml"])
        try await MCPHarness.with(recorded.fleet) { mcp in
            let result = try await mcp.ok("list_agent_projects")
            let projects = try #require(result["projects"]?.arrayValue)
            #expect(projects.count == 1)
            #expect(projects.first?["name"]?.stringValue == "coder-devcontainer")
            #expect(projects.first?["display_name"]?.stringValue == "Setup")
            #expect(projects.first?["active_version_id"]?.stringValue == "38f1960f-ff3a-4591-9a42-395a913859c4")
            #expect(result["total_count"]?.intValue == 1)
            // The recording never read DataOne's parameters or Setup's presets; fleet-mcp asks, finds no answer,
            // skips DataOne (not provably a project) and lists Setup without roles.
            #expect(
                Set(recorded.replay.unmatched) == [
                    "GET /api/v2/templateversions/912666c4-97fe-4eeb-ae4f-69e8d5a4d89b/rich-parameters",
                    "GET /api/v2/templateversions/38f1960f-ff3a-4591-9a42-395a913859c4/presets",
                ])
        }
    }

    @Test func listAgentRolesReadsPresets() async throws {
        let recorded = try RecordedFleet([
            "list_templates_success.yaml", "get_template_parameters_success.yaml", "list_workspace_presets_success.yaml",
        ])
        try await MCPHarness.with(recorded.fleet) { mcp in
            let result = try await mcp.ok("list_agent_roles", ["project": "setup"])
            let roles = try #require(result["roles"]?.arrayValue)
            #expect(roles.compactMap { item in item["name"]?.stringValue }.prefix(2) == ["Coder", "Operator"])
            #expect(roles.first?["default"]?.boolValue == true)
            #expect(roles.first?["preset_id"]?.stringValue == "d2e0fcc7-59d5-493b-a346-2b90e26aabe9")
            #expect(roles.first?["sets"]?.strings == ["system_prompt"])
            #expect(result["project"]?.stringValue == "coder-devcontainer")
            #expect(result["default_role"]?.stringValue == "Coder")
            #expect(recorded.replay.unmatched.isEmpty)

            let unknown = try await mcp.failure("list_agent_roles", ["project": "Setpu"])
            #expect(unknown.contains("Did you mean 'coder-devcontainer'") || unknown.contains("Projects: coder-devcontainer"))
        }
    }

    @Test func createAgentAppliesTheRolePreset() async throws {
        // create_agent first asks whether the name is taken; the recording never did, so that answer is Coder's 404
        // for a missing workspace, with the message shared/docs/coder-api.md (§1.2) gives.
        let free = Cassette.Interaction(
            request: .init(body: "", headers: [:], method: "GET", uri: "https://coder.example.com/api/v2/users/me/workspace/test-ws-create-001"),
            response: .init(
                body: .init(string: #"{"message":"Resource not found or you do not have access to this resource"}"#), headers: [:],
                status: .init(code: 404, message: "Not Found")))
        let recorded = try RecordedFleet(["test_create_workspace_with_preset.yaml"], prefix: "test-", extra: [free])
        let presets = try CoderJSON.decode(
            [Preset].self,
            from: Data(
                try Cassette.load(Paths.cassettes.appendingPathComponent("test_create_workspace_with_preset.yaml")).interactions[2].response.body
                    .string!.utf8))
        let role = try #require(presets.first { $0.id == "9ce86483-72f5-4647-9a92-2c53fb940fa9" })
        try await MCPHarness.with(recorded.fleet) { mcp in
            let result = try await mcp.ok(
                "create_agent", ["name": "ws-create-001", "project": "Setup", "task": "Write the README", "role": .string(role.name.uppercased())])
            #expect(result["agent"]?.stringValue == "ws-create-001")
            #expect(result["role"]?.stringValue == role.name)
            #expect(result["status"]?.stringValue == "pending")
            let post = try #require(recorded.counter.requests.first { $0.method == "POST" })
            #expect(post.url.path == "/api/v2/organizations/1dd993f1-dec7-401f-bbc3-0df50c2bee9b/members/me/workspaces")
            let body = try CoderJSON.decode(CreateWorkspaceRequest.self, from: post.body!)
            #expect(body.name == "test-ws-create-001")
            #expect(body.templateVersionPresetID == role.id)
            #expect(body.richParameterValues == [WorkspaceBuildParameter(name: "AI Prompt", value: "Write the README")])
            #expect(recorded.replay.unmatched.isEmpty)
        }
    }

    @Test func createAgentValidatesBeforeWriting() async throws {
        let recorded = try RecordedFleet(["test_create_workspace_with_preset.yaml"], prefix: "test-")
        try await MCPHarness.with(recorded.fleet) { mcp in
            let badName = try await mcp.failure("create_agent", ["name": "invalid@name", "project": "Setup", "task": "x"])
            #expect(badName.contains("not a valid Coder workspace name"))
            #expect(recorded.counter.requests.isEmpty, "name validation happens before any request")
            let badRole = try await mcp.failure("create_agent", ["name": "ok", "project": "Setup", "task": "x", "role": "Manager"])
            #expect(badRole.contains("Role 'Manager' does not exist"))
            let badProject = try await mcp.failure("create_agent", ["name": "ok", "project": "DataTwo", "task": "x"])
            #expect(badProject.contains("Project 'DataTwo' does not exist"))
            let emptyTask = try await mcp.failure("create_agent", ["name": "ok", "project": "Setup", "task": "  "])
            #expect(emptyTask.contains("Task is empty"))
            #expect(!recorded.counter.requests.contains { $0.method != "GET" }, "nothing is written when validation fails")
        }
    }

    @Test func listAgentsMakesOneRequestPerCall() async throws {
        let recorded = try RecordedFleet(["test_task_history_pagination.yaml", "test_list_agent_projects_success.yaml"])
        try await MCPHarness.with(recorded.fleet) { mcp in
            let first = try await mcp.ok("list_agents")
            let agents = try #require(first["agents"]?.arrayValue)
            #expect(agents.compactMap { item in item["name"]?.stringValue } == ["Shine", "test-case", "test-history"])
            // Their agents were disconnected when recorded: a running workspace whose agent is gone cannot work.
            #expect(agents.allSatisfy { item in item["status"]?.stringValue == "failed" })
            #expect(agents.first?["status_reason"]?.stringValue == "agent main disconnected")
            #expect(agents.first?["project"]?.stringValue == "coder-devcontainer")
            #expect(agents.first?["last_event_at"]?.stringValue == "2025-11-02T16:05:55.370505Z")
            #expect(first["counts"]?["failed"]?.intValue == 3)

            recorded.counter.reset()
            let page1 = try await mcp.ok("list_agents", ["limit": 2])
            #expect(recorded.counter.requests.map(\.description).count == 1)
            #expect(recorded.counter.requests.first?.url.path == "/api/v2/workspaces")
            let query = URLComponents(url: try #require(recorded.counter.requests.first?.url), resolvingAgainstBaseURL: false)?.queryItems
            #expect(query == [URLQueryItem(name: "q", value: #"owner:"me" name:"agent-""#)])
            #expect(page1["agents"]?.arrayValue?.count == 2)
            let cursor = try #require(page1["next_cursor"]?.stringValue)
            let page2 = try await mcp.ok("list_agents", ["limit": 2, "cursor": .string(cursor)])
            #expect(page2["agents"]?.arrayValue?.compactMap { item in item["name"]?.stringValue } == ["test-history"])
            #expect(page2["next_cursor"] == nil)

            let filtered = try await mcp.ok("list_agents", ["status_filter": "busy"])
            #expect(filtered["agents"]?.arrayValue?.isEmpty == true)
            #expect(filtered["total_count"]?.intValue == 0)
            let bad = try await mcp.failure("list_agents", ["status_filter": "sleeping"])
            #expect(bad.contains("Unknown status_filter 'sleeping'"))
            let badCursor = try await mcp.failure("list_agents", ["cursor": "nonsense"])
            #expect(badCursor.contains("cursor"))
        }
    }

    @Test func showAgent() async throws {
        let recorded = try RecordedFleet(["test_task_history_pagination.yaml", "test_list_agent_projects_success.yaml"])
        try await MCPHarness.with(recorded.fleet) { mcp in
            let detail = try await mcp.ok("show_agent", ["agent_name": "TEST-HISTORY"])
            #expect(detail["agent"]?["name"]?.stringValue == "test-history")
            #expect(detail["agent"]?["workspace_name"]?.stringValue == "agent-test-history")
            #expect(detail["build"]?["status"]?.stringValue == "running")
            #expect(detail["build"]?["number"]?.intValue != nil)
            #expect(detail["workspace_agent"]?["status"]?.stringValue == "disconnected")
            #expect(detail["workspace_agent"]?["lifecycle"]?.stringValue == "ready")
            let apps = try #require(detail["apps"]?.arrayValue)
            let agentAPI = try #require(apps.first { item in item["is_agent_api"]?.boolValue == true })
            #expect(agentAPI["slug"]?.stringValue == "ccw")
            #expect(agentAPI["url"]?.stringValue == "https://coder.example.com/@mvgijssel/agent-test-history.main/apps/ccw/")
            #expect(detail["latest_report"]?["state"]?.stringValue == "idle")
            #expect(detail["tasks_api"]?.stringValue == "experimental")

            let missing = try await mcp.failure("show_agent", ["agent_name": "test-histry"])
            #expect(missing.contains("Agent 'test-histry' does not exist. Did you mean 'test-history'"))
            let extra = try await mcp.failure("show_agent", ["agent_name": "x", "agent": "y"])
            #expect(extra.contains("unknown parameter agent"))
        }
    }

    @Test func taskHistoryIsNewestFirstAndPaged() async throws {
        let recorded = try RecordedFleet(["test_task_history_pagination.yaml", "test_list_agent_projects_success.yaml"])
        let workspace = try CoderJSON.decode(
            WorkspacesResponse.self,
            from: Data(
                try Cassette.load(Paths.cassettes.appendingPathComponent("test_task_history_pagination.yaml")).interactions[0].response.body.string!
                    .utf8)
        )
        .workspaces.first { $0.name == "agent-test-case" }!
        let recordedStatuses = workspace.latestBuild.resources.flatMap { $0.agents ?? [] }.flatMap(\.apps).flatMap(\.statuses)
        try await MCPHarness.with(recorded.fleet) { mcp in
            let page1 = try await mcp.ok("show_agent_task_history", ["agent_name": "test-case", "page_size": 3])
            #expect(page1["total_count"]?.intValue == recordedStatuses.count)
            #expect(page1["total_pages"]?.intValue == (recordedStatuses.count + 2) / 3)
            #expect(page1["has_next_page"]?.boolValue == true)
            #expect(page1["has_previous_page"]?.boolValue == false)
            let times = strings(page1["tasks"], "created_at")
            #expect(times.count == 3)
            #expect(times == times.sorted(by: >), "newest first")
            let newest = recordedStatuses.max { $0.createdAt < $1.createdAt }!
            #expect(page1["tasks"]?.arrayValue?.first?["id"]?.stringValue == newest.id)
            let last = try await mcp.ok(
                "show_agent_task_history", ["agent_name": "test-case", "page": .int(page1["total_pages"]!.intValue!), "page_size": 3])
            #expect(last["has_next_page"]?.boolValue == false)
            let beyond = try await mcp.ok("show_agent_task_history", ["agent_name": "test-case", "page": 99])
            #expect(beyond["tasks"]?.arrayValue?.isEmpty == true)
            let bad = try await mcp.failure("show_agent_task_history", ["agent_name": "test-case", "page_size": 101])
            #expect(bad.contains("page_size must be between 1 and 100"))
            let zero = try await mcp.failure("show_agent_task_history", ["agent_name": "test-case", "page": 0])
            #expect(zero.contains("1-indexed"))
        }
    }

    @Test func logWithoutSidebarAppIsAnEmptyPage() async throws {
        let recorded = try RecordedFleet(["test_show_agent_log_pagination.yaml", "test_list_agent_projects_success.yaml"])
        try await MCPHarness.with(recorded.fleet) { mcp in
            let log = try await mcp.ok("show_agent_log", ["agent_name": "test-log"])
            #expect(log["logs"]?.arrayValue?.isEmpty == true)
            #expect(log["total_count"]?.intValue == 0)
            #expect(recorded.replay.served.contains("GET /api/experimental/tasks/mvgijssel/f3925e85-6500-4c50-b260-6dee88333894/logs"))
        }
    }

    @Test func logIsNewestFirst() async throws {
        let recorded = try RecordedFleet(
            ["list_workspaces_success.yaml", "get_template_parameters_success.yaml", "get_task_logs_success.yaml"], prefix: "test-")
        let entries = try CoderJSON.decode(
            TaskLogsResponse.self,
            from: Data(
                try Cassette.load(Paths.cassettes.appendingPathComponent("get_task_logs_success.yaml")).interactions[0].response.body.string!.utf8)
        ).logs
        try await MCPHarness.with(recorded.fleet) { mcp in
            let latest = try await mcp.ok("show_agent_log", ["agent_name": "recording-agent"])
            #expect(latest["total_count"]?.intValue == entries.count)
            #expect(latest["logs"]?.arrayValue?.count == 1, "default page size is 1: the latest turn")
            #expect(latest["logs"]?.arrayValue?.first?["id"]?.intValue == entries.max { $0.time < $1.time }?.id)
            #expect(latest["source"]?.stringValue == "tasks_api")
            let all = try await mcp.ok("show_agent_log", ["agent_name": "recording-agent", "page_size": 100])
            let types = strings(all["logs"], "type")
            #expect(Set(types).isSubset(of: ["input", "output"]))
            #expect(all["logs"]?.arrayValue?.last?["id"]?.intValue == 0)
        }
    }

    @Test func startAgentTaskSendsThroughTheTasksAPI() async throws {
        let recorded = try RecordedFleet(
            ["list_workspaces_success.yaml", "get_template_parameters_success.yaml", "send_task_input_success.yaml"], prefix: "test-")
        try await MCPHarness.with(recorded.fleet) { mcp in
            let empty = try await mcp.failure("start_agent_task", ["agent_name": "recording-agent", "task_description": " "])
            #expect(empty.contains("task_description is empty"))
            #expect(recorded.counter.requests.isEmpty)
            let result = try await mcp.ok("start_agent_task", ["agent_name": "Recording-Agent", "task_description": "Write hello world to a file"])
            #expect(result["status"]?.stringValue == "busy")
            let send = try #require(recorded.counter.requests.last)
            #expect(send.method == "POST")
            #expect(send.url.path == "/api/experimental/tasks/mvgijssel/5d9aa1c3-c2a1-4205-875e-978ba2189bbf/send")
            #expect(jsonObject(send.body) == jsonObject(Data(#"{"input":"Write hello world to a file"}"#.utf8)))
            // The recording has neither the exact-name lookup (fleet-mcp then lists, as the recording did) nor AgentAPI
            // traffic (the probe whether the idle-looking agent is mid-turn finds no answer; the reports decide).
            #expect(
                recorded.replay.unmatched == [
                    "GET /api/v2/users/me/workspace/test-recording-agent",
                    "GET /@mvgijssel/test-recording-agent.main/apps/ccw/status",
                ])
        }
    }

    @Test func startAgentTaskRefusesABusyAgent() async throws {
        let recorded = try RecordedFleet(["test_task_history_pagination.yaml", "test_list_agent_projects_success.yaml"], prefix: "task-")
        try await MCPHarness.with(recorded.fleet) { mcp in
            // task-strange-poitras-df7f: connected, ready, newest report "working".
            let listed = try await mcp.ok("list_agents")
            #expect(listed["agents"]?.arrayValue?.first?["status"]?.stringValue == "busy")
            let busy = try await mcp.failure("start_agent_task", ["agent_name": "strange-poitras-df7f", "task_description": "More"])
            #expect(busy.contains("is busy"))
            #expect(busy.contains("wait_for_agent or cancel_agent_task"))
            #expect(!recorded.counter.requests.contains { $0.method == "POST" })
        }
    }

    @Test func deleteAgentQueuesADeleteBuild() async throws {
        let recorded = try RecordedFleet(
            ["test_delete_workspace.yaml", "test_list_agent_projects_success.yaml"], prefix: "test-",
            extra: [try RecordedFleet.listing(workspaceFrom: "test_delete_workspace.yaml", index: 47)])
        try await MCPHarness.with(recorded.fleet) { mcp in
            let result = try await mcp.ok("delete_agent", ["agent_name": "ws-delete-001"])
            #expect(result["status"]?.stringValue == "deleting")
            #expect(result["build_id"]?.stringValue?.isEmpty == false)
            let post = try #require(recorded.counter.requests.last)
            #expect(post.url.path == "/api/v2/workspaces/50a9812d-43c5-4c25-b606-38e5d6aeb141/builds")
            #expect(jsonObject(post.body) == jsonObject(Data(#"{"transition":"delete"}"#.utf8)))
            let notAgent = try await mcp.failure("delete_agent", ["agent_name": "nobody"])
            #expect(notAgent.contains("does not exist"))
        }
    }

    @Test func waitForAgentFollowsTheBuildWithProgress() async throws {
        let recorded = try RecordedFleet(
            ["test_delete_workspace.yaml", "test_list_agent_projects_success.yaml"], prefix: "test-",
            extra: [try RecordedFleet.listing(workspaceFrom: "test_delete_workspace.yaml", index: 5)])
        try await MCPHarness.with(recorded.fleet) { mcp in
            let result = try await mcp.call("wait_for_agent", ["agent_name": "ws-delete-001", "timeout_seconds": 10], progressToken: .string("w1"))
            #expect(result.isError != true)
            let value = try #require(result.structuredContent)
            #expect(value["previous_status"]?.stringValue == "pending")
            #expect(value["status"]?.stringValue == "starting")
            #expect(value["changed"]?.boolValue == true)
            #expect(value["timed_out"]?.boolValue == false)
            let polls = recorded.counter.requests.filter { $0.url.path == "/api/v2/workspaces/50a9812d-43c5-4c25-b606-38e5d6aeb141" }
            #expect(polls.count >= 10, "it polled the one workspace until the build moved on")
            try await Task.sleep(for: .milliseconds(50))
            #expect(!mcp.progress.withLock { $0 }.isEmpty, "progress notifications arrive while waiting")
        }
    }
}

func jsonObject(_ data: Data?) -> NSDictionary? {
    guard let data, let object = try? JSONSerialization.jsonObject(with: data) as? NSDictionary else { return nil }
    return object
}
