import CoderAPI
import CoderSandbox
import Foundation
import Testing

/// Facts of issue 18, each from coderd's source at a release tag (github.com/coder/coder, read from the biptec/coder
/// mirror): the sandbox answers as that release does.
@Suite struct CoderFidelityTests {
    /// v2.30.0 coderd/aitasks.go tasksCreate no longer fills `AI Prompt` (v2.29.0 aitasks.go:132–150 filled it only
    /// when declared; v2.28.0 aitasks.go:182 always): the 2.30+ modes seed templates without it, and Coder itself says
    /// which templates are AI-task templates (`has-ai-task`, v2.30.0 coderd/searchquery/search.go:336,
    /// coderd/database/queries/templates.sql:74–78, on the template's active version).
    @Test(arguments: [SandboxVersion.v2_27, .v2_31, .v2_35])
    func aiTaskTemplatesAndThePromptParameter(_ version: SandboxVersion) async throws {
        try await withSandbox(.testing(version)) { sandbox in
            let http = SandboxHTTP(sandbox)
            let aiTask: [Template] = try await http.json(.GET, "/api/v2/templates?q=has-ai-task:true")
            #expect(aiTask.map(\.name).sorted() == ["platform", "webshop"])
            let other: [Template] = try await http.json(.GET, "/api/v2/templates?q=has-ai-task:false")
            #expect(other.map(\.name) == ["docker-dev"])
            let webshop = try await http.template("webshop")
            let parameters: [TemplateVersionParameter] = try await http.json(
                .GET, "/api/v2/templateversions/\(webshop.activeVersionID)/rich-parameters")
            #expect(parameters.contains { $0.name == "AI Prompt" } == (version == .v2_27), "\(version)")
        }
    }

    /// A task's builds say `has_ai_task` once their job is done (v2.35.1 coderd/workspacebuilds.go:1288–1290, written
    /// at completion by coderd/provisionerdserver/provisionerdserver.go:2240–2290: true for a task's workspace).
    @Test func buildsOfATaskSayHasAITask() async throws {
        try await withSandbox(.testing(.v2_35)) { sandbox in
            let http = SandboxHTTP(sandbox)
            let task = try await http.createTask("agent-flag", prompt: "Investigate the slow deploys")
            try await eventually("the build to finish") {
                try await http.workspace(task.workspaceID ?? "").latestBuild.job.completedAt != nil
            }
            #expect(try await http.workspace(task.workspaceID ?? "").latestBuild.hasAiTask == true)
        }
    }

    /// `reason` is validated as coderd's request validation does: `task_manual_pause` is refused before v2.31.1
    /// (v2.27.0 codersdk/workspaces.go:130, v2.31.0 :132, oneof without it; v2.31.0 coderd/httpapi/httpapi.go:248–261
    /// names the field by its JSON name) and recorded from v2.31.1 (v2.31.1 codersdk/workspaces.go:134).
    @Test(arguments: [SandboxVersion.v2_27, .v2_31, .v2_35])
    func buildReasonsByVersion(_ version: SandboxVersion) async throws {
        try await withSandbox(.testing(version)) { sandbox in
            let http = SandboxHTTP(sandbox)
            let workspace = try await http.createWorkspace("agent-reason", prompt: "Investigate the slow deploys")
            try await eventually("the start build to finish") { try await http.workspace(workspace.id).latestBuild.status == .running }
            let stop = try await http.send(
                .POST, "/api/v2/workspaces/\(workspace.id)/builds", json: CreateWorkspaceBuildRequest(transition: .stop, reason: "task_manual_pause"))
            if version == .v2_27 {
                #expect(stop.status == 400)
                #expect(stop.message == "Validation failed.")
                let validations = stop.object?["validations"] as? [[String: Any]]
                #expect(validations?.first?["field"] as? String == "reason")
                #expect(validations?.first?["detail"] as? String == #"Validation failed for tag "oneof" with value: "task_manual_pause""#)
            } else {
                #expect(stop.status == 201)
                #expect(try stop.decode(WorkspaceBuild.self).reason == .taskManualPause)
            }
            let bogus = try await http.send(
                .POST, "/api/v2/workspaces/\(workspace.id)/builds", json: CreateWorkspaceBuildRequest(transition: .stop, reason: "task_resume"))
            #expect(bogus.status == 400, "task_resume is not a reason a client may give (v2.35.1 codersdk/workspaces.go:138)")
        }
    }

    /// Resume refuses only a running workspace (v2.35.1 coderd/aitasks.go:1386–1393: 409 "Task workspace is already
    /// running.") and resumes a failed task with a start build (aitasks.go:1395–1408, reason `task_resume`).
    @Test func aFailedTaskResumes() async throws {
        try await withSandbox(.testing(.v2_35)) { sandbox in
            let http = SandboxHTTP(sandbox)
            _ = try await http.createTask("agent-broke", prompt: "[build-fail] Investigate the slow deploys")
            try await eventually("the build to fail") { try await http.task("agent-broke").status == .error }
            let resumed = try await http.send(.POST, "/api/v2/tasks/me/agent-broke/resume")
            #expect(resumed.status == 202, "\(resumed.text)")
            let build = try #require((resumed.object?["workspace_build"] as? [String: Any]))
            #expect(build["reason"] as? String == "task_resume")
            #expect(build["transition"] as? String == "start")
        }
    }

    /// `…/send` checks the input before the task's state, untrimmed (v2.35.1 coderd/aitasks.go:750–755).
    @Test func sendChecksTheInputFirst() async throws {
        try await withSandbox(.testing(.v2_35)) { sandbox in
            let http = SandboxHTTP(sandbox)
            _ = try await http.createTask("agent-early", prompt: "[build-fail] Investigate")
            try await eventually("the build to fail") { try await http.task("agent-early").status == .error }
            let empty = try await http.send(.POST, "/api/v2/tasks/me/agent-early/send", json: TaskInput(input: ""))
            #expect(empty.status == 400)
            #expect(empty.message == "Task input is required.")
            let blank = try await http.send(.POST, "/api/v2/tasks/me/agent-early/send", json: TaskInput(input: "  "))
            #expect(blank.status == 400)
            #expect(blank.message == "Task must be active.", "blank input passes the input check and meets the state check")
        }
    }

    /// A busy agent refuses input with 502 through v2.31.x (v2.31.1 coderd/aitasks.go:762–764) and 409 from v2.32.0
    /// (v2.32.0 aitasks.go:775–777).
    @Test(arguments: [SandboxVersion.v2_31, .v2_35])
    func aBusyAgentRefusesInput(_ version: SandboxVersion) async throws {
        try await withSandbox(.testing(version, timeScale: 0.2)) { sandbox in
            let http = SandboxHTTP(sandbox)
            _ = try await http.createTask("agent-busy", prompt: "[slow] Investigate the slow deploys")
            try await eventually("the agent to work") {
                let task = try await http.task("agent-busy")
                return task.status == .active && task.currentState?.state == .working
            }
            let answer = try await http.send(.POST, "/api/v2/tasks/me/agent-busy/send", json: TaskInput(input: "And the logs?"))
            #expect(answer.status == (version == .v2_31 ? 502 : 409), "\(version): \(answer.text)")
            #expect(answer.message == "Task app is not ready to accept input.")
            #expect(answer.object?["detail"] as? String == "Status: running")
        }
    }

    /// A build while another is active: 409 with coderd's detail (v2.35.1 coderd/wsbuilder/wsbuilder.go:278–301,
    /// 1416–1432: BuildError's detail is the wrapped error, the same text).
    @Test func buildConflictsCarryADetail() async throws {
        try await withSandbox(.testing(.v2_35, timeScale: 1)) { sandbox in
            let http = SandboxHTTP(sandbox)
            let workspace = try await http.createWorkspace("agent-conflict")
            let again = try await http.send(.POST, "/api/v2/workspaces/\(workspace.id)/builds", json: CreateWorkspaceBuildRequest(transition: .stop))
            #expect(again.status == 409)
            #expect(again.message == "A workspace build is already active.")
            #expect(again.object?["detail"] as? String == "A workspace build is already active.")
        }
    }
}
