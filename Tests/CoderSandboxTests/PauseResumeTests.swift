import CoderAPI
import CoderSandbox
import Foundation
import Testing

/// Task pause, resume, input updates and log snapshots (Coder 2.31+), and the idle timeout.
@Suite struct PauseResumeTests {
    /// A task whose first turn has ended (`complete`, no pull request).
    static func settledTask(
        _ http: SandboxHTTP, name: String = "agent-p",
        prompt: String = "Investigate the slow deploys"
    ) async throws -> CoderTask {
        _ = try await http.createTask(name, prompt: prompt)
        try await eventually("the first turn to end") {
            let task = try await http.task(name)
            return task.status == .active && task.currentState?.state == .complete
        }
        return try await http.task(name)
    }

    /// Paused (its stop build done) as both the task and the workspace say.
    static func isPaused(_ http: SandboxHTTP, _ name: String) async throws -> Bool {
        let task = try await http.task(name)
        guard task.status == .paused, let workspaceID = task.workspaceID else { return false }
        return try await http.workspace(workspaceID).latestBuild.status == .stopped
    }

    static func builds(_ http: SandboxHTTP, _ workspaceID: String) async throws -> [WorkspaceBuild] {
        try await http.json(.GET, "/api/v2/workspaces/\(workspaceID)/builds")
    }

    @Test(arguments: [SandboxVersion.v2_31, .v2_35, .v2_36])
    func pauseResumeKeepsTheConversationAndStartsOnNewInput(_ version: SandboxVersion) async throws {
        try await withSandbox(.testing(version)) { sandbox in
            let http = SandboxHTTP(sandbox)
            let task = try await Self.settledTask(http)
            let base = "/api/v2/tasks/me/agent-p"
            let live = try await http.logs("agent-p")
            #expect(live.status == 200)
            #expect(live.object?.keys.sorted() == ["logs"], "live logs carry no snapshot keys")
            let said = try live.decode(TaskLogsResponse.self).logs

            // Only a paused task takes new input or resumes.
            let earlyInput = try await http.send(.PATCH, base + "/input", json: TaskInput(input: "Something else"))
            #expect(earlyInput.status == 409)
            #expect(earlyInput.message == "Unable to update task input, task must be paused.")
            #expect(earlyInput.object?["detail"] as? String == "Please stop the task's workspace before updating the input.")
            let earlyResume = try await http.send(.POST, base + "/resume")
            #expect(earlyResume.status == 409)

            // Pause: 202 with the stop build.
            let paused = try await http.send(.POST, base + "/pause")
            #expect(paused.status == 202)
            let pauseBuild = try #require(paused.object?["workspace_build"] as? [String: Any])
            #expect(pauseBuild["transition"] as? String == "stop")
            #expect(pauseBuild["reason"] as? String == "task_manual_pause")
            #expect(pauseBuild["workspace_id"] as? String == task.workspaceID)
            try await eventually("the task to be paused") { try await Self.isPaused(http, "agent-p") }
            let pausedTask = try await http.task("agent-p")
            #expect(pausedTask.status.rawValue == "paused")
            #expect(pausedTask.currentState?.state == .complete, "the last report is still shown after a stop")

            // While paused: the log is the snapshot of what the agent had said; sending is refused.
            let snapshot = try await http.logs("agent-p")
            #expect(snapshot.status == 200)
            #expect(snapshot.object?["snapshot"] as? Bool == true)
            #expect(snapshot.object?["snapshot_at"] is String)
            #expect(try snapshot.decode(TaskLogsResponse.self).logs == said)
            let send = try await http.send(.POST, base + "/send", json: TaskInput(input: "Hello?"))
            #expect(send.status == 409)
            #expect(send.message == "Task is paused.")
            #expect(send.object?["detail"] as? String == "Resume the task to send messages.")
            let empty = try await http.send(.PATCH, base + "/input", json: TaskInput(input: "  "))
            #expect(empty.status == 400)
            #expect(empty.message == "Task input is required.")
            let input = try await http.send(.PATCH, base + "/input", json: TaskInput(input: "Fix the flaky login test"))
            #expect(input.status == 204)
            #expect(input.body.isEmpty)
            #expect(try await http.task("agent-p").initialPrompt == "Fix the flaky login test")

            // Resume: 202 with the start build; the agent starts on the new input and keeps what it said before.
            let resumed = try await http.send(.POST, base + "/resume")
            #expect(resumed.status == 202)
            let resumeBuild = try #require(resumed.object?["workspace_build"] as? [String: Any])
            #expect(resumeBuild["transition"] as? String == "start")
            #expect(resumeBuild["reason"] as? String == "task_resume")
            try await eventually("the new input to be done") {
                let task = try await http.task("agent-p")
                return task.status == .active && task.currentState?.message.hasPrefix("Done: Fix the flaky login test") == true
            }
            let after = try await http.logs("agent-p")
            #expect(after.object?["snapshot"] == nil)
            let logs = try after.decode(TaskLogsResponse.self).logs
            #expect(Array(logs.prefix(said.count)) == said)
            #expect(logs.dropFirst(said.count).first?.content == "Fix the flaky login test")
            #expect(logs.dropFirst(said.count).first?.type == .input)
            #expect(try await Self.builds(http, task.workspaceID ?? "").map(\.reason.rawValue) == ["task_resume", "task_manual_pause", "initiator"])
        }
    }

    @Test func resumeWithoutNewInputLeavesTheAgentWaiting() async throws {
        try await withSandbox(.testing(.v2_35)) { sandbox in
            let http = SandboxHTTP(sandbox)
            let task = try await Self.settledTask(http)
            let before = try await http.logs("agent-p").decode(TaskLogsResponse.self).logs
            _ = try await http.send(.POST, "/api/experimental/tasks/me/\(task.id)/pause")
            try await eventually("the task to be paused") { try await Self.isPaused(http, "agent-p") }
            #expect(try await http.send(.POST, "/api/v2/tasks/me/\(task.id)/resume").status == 202)
            try await eventually("the agent to be back and idle") {
                let task = try await http.task("agent-p")
                return task.status == .active && task.currentState?.state == .idle
            }
            #expect(try await http.logs("agent-p").decode(TaskLogsResponse.self).logs == before)
            // Running again: resuming once more is refused, by the workspace's status (v2.35.1 coderd/aitasks.go:1386–1393).
            let again = try await http.send(.POST, "/api/v2/tasks/me/agent-p/resume")
            #expect(again.status == 409)
            #expect(again.message == "Task workspace is already running.")
            #expect(again.object?["detail"] as? String == "Workspace status is \"running\".")
        }
    }

    @Test func logsWhileStartingAreTheSnapshot() async throws {
        try await withSandbox(.testing(.v2_35, timeScale: 0.2)) { sandbox in
            let http = SandboxHTTP(sandbox)
            _ = try await http.createTask("agent-new", prompt: "Investigate the slow deploys")
            let early = try await http.logs("agent-new")
            #expect(early.status == 200)
            #expect(early.object?["snapshot"] as? Bool == true)
            #expect(early.object?["snapshot_at"] == nil, "no snapshot was ever taken")
            #expect((early.object?["logs"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func idleTasksArePausedAutomatically() async throws {
        try await withSandbox(.testing(.v2_35, idlePause: .milliseconds(300))) { sandbox in
            let http = SandboxHTTP(sandbox)
            let task = try await http.createTask("agent-idle", prompt: "[slow] Investigate the slow deploys")
            try await eventually("the idle task to be paused") { try await Self.isPaused(http, "agent-idle") }
            let builds = try await Self.builds(http, task.workspaceID ?? "")
            #expect(builds.map(\.reason.rawValue) == ["task_auto_pause", "initiator"])
            #expect(builds.first?.transition == .stop)
            // Not while it worked: the pause came at least the idle time after its last report.
            let lastReport = try #require(await http.workspace(task.workspaceID ?? "").latestAppStatus)
            #expect(lastReport.state == .complete)
            let pausedAt = try #require(builds.first?.createdAt)
            #expect(pausedAt.timeIntervalSince(lastReport.createdAt) >= 0.25)
            let snapshot = try await http.logs("agent-idle")
            #expect(try snapshot.decode(TaskLogsResponse.self).logs.contains { $0.content.contains("Investigate the slow deploys") })
            // Resumed, it is paused again once idle.
            #expect(try await http.send(.POST, "/api/v2/tasks/me/agent-idle/resume").status == 202)
            try await eventually("the second pause") { try await Self.builds(http, task.workspaceID ?? "").count == 4 }
            #expect(
                try await Self.builds(http, task.workspaceID ?? "").map(\.reason.rawValue)
                    == ["task_auto_pause", "task_resume", "task_auto_pause", "initiator"])
        }
    }

    @Test(arguments: [SandboxVersion.v2_27, .v2_37])
    func withoutPauseIdleAgentsKeepRunning(_ version: SandboxVersion) async throws {
        try await withSandbox(.testing(version, idlePause: .milliseconds(100))) { sandbox in
            let http = SandboxHTTP(sandbox)
            let workspace = try await http.createWorkspace("agent-busy", prompt: "Investigate the slow deploys")
            try await eventually("the first turn to end") { try await http.workspace(workspace.id).latestAppStatus?.state == .complete }
            try await Task.sleep(for: .milliseconds(500))
            let builds = try await Self.builds(http, workspace.id)
            #expect(builds.count == 1)
            #expect(try await http.workspace(workspace.id).latestBuild.status == .running)
        }
    }

    @Test func workspacesWithoutATaskAreNotAutoPaused() async throws {
        try await withSandbox(.testing(.v2_35, idlePause: .milliseconds(100))) { sandbox in
            let http = SandboxHTTP(sandbox)
            // 2.35's templates take no `AI Prompt`: a plain workspace's agent starts idle, with nothing to do.
            let workspace = try await http.createWorkspace("agent-plain", prompt: "Investigate the slow deploys")
            try await eventually("the workspace to run") { try await http.workspace(workspace.id).latestBuild.status == .running }
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await Self.builds(http, workspace.id).count == 1)
        }
    }
}
