import CoderAPI
import Foundation
import Testing

@testable import Fleet

/// The README's status table ("Status model"), row by row, on a recorded workspace changed one field at a time.
@Suite struct StatusModelTests {
    /// One row: how to change the recorded workspace, and the status fleet-mcp must derive.
    struct Row: CustomTestStringConvertible, Sendable {
        let when: String
        let change: @Sendable (inout WorkspaceView, Date) -> Void
        let expected: Fleet.AgentStatus
        var testDescription: String { "\(when) → \(expected.rawValue)" }
    }

    static func report(_ state: AppStatusState, at time: Date, message: String = "m") -> WorkspaceAppStatus {
        WorkspaceAppStatus(
            id: UUID().uuidString.lowercased(), createdAt: time, workspaceID: "w", agentID: "a", appID: "app", state: state,
            message: message, uri: "", icon: "", needsUserAttention: false)
    }

    static func agents(_ change: @escaping @Sendable (inout AgentView) -> Void) -> @Sendable (inout WorkspaceView, Date) -> Void {
        { workspace, _ in
            for r in workspace.latestBuild.resources.indices {
                for a in (workspace.latestBuild.resources[r].agents ?? []).indices { change(&workspace.latestBuild.resources[r].agents![a]) }
            }
        }
    }

    static func newest(_ state: AppStatusState) -> @Sendable (inout WorkspaceView, Date) -> Void {
        { workspace, now in workspace.latestAppStatus = report(state, at: now) }
    }

    static let buildRows: [Row] = [
        ("pending", WorkspaceStatus.pending, Fleet.AgentStatus.pending), ("starting", .starting, .starting), ("stopping", .stopping, .stopping),
        ("stopped", .stopped, .stopped), ("canceling", .canceling, .canceling), ("canceled", .canceled, .canceled),
        ("deleting", .deleting, .deleting), ("deleted", .deleted, .deleted), ("failed", .failed, .failed),
    ].map { name, build, status in
        Row(when: "the latest build is \(name)", change: { workspace, _ in workspace.latestBuild.status = build }, expected: status)
    }

    static let rows: [Row] =
        buildRows + [
            Row(
                when: "a queued delete build",
                change: { w, _ in
                    w.latestBuild.status = .pending
                    w.latestBuild.transition = .delete
                }, expected: .deleting),
            Row(
                when: "a queued stop build",
                change: { w, _ in
                    w.latestBuild.status = .pending
                    w.latestBuild.transition = .stop
                }, expected: .stopping),
            Row(when: "running, agent connecting", change: agents { $0.status = .connecting }, expected: .starting),
            Row(when: "running, startup scripts running", change: agents { $0.lifecycleState = .starting }, expected: .starting),
            Row(when: "running, agent disconnected", change: agents { $0.status = .disconnected }, expected: .failed),
            Row(when: "running, agent timed out", change: agents { $0.status = .timeout }, expected: .failed),
            Row(when: "running, startup failed", change: agents { $0.lifecycleState = .startError }, expected: .failed),
            Row(
                when: "running, Claude Code's app unhealthy",
                change: { w, now in
                    newest(.working)(&w, now)
                    agents { agent in for i in agent.apps.indices { agent.apps[i].health = .unhealthy } }(&w, now)
                }, expected: .failed),
            Row(
                when: "ready for 10 s, no report yet",
                change: { w, now in
                    w.latestAppStatus = nil
                    agents { agent in
                        agent.readyAt = now.addingTimeInterval(-10)
                        for i in agent.apps.indices { agent.apps[i].statuses = [] }
                    }(&w, now)
                }, expected: .starting),
            Row(
                when: "ready for 2 minutes, no report",
                change: { w, now in
                    w.latestAppStatus = nil
                    agents { agent in
                        agent.readyAt = now.addingTimeInterval(-120)
                        for i in agent.apps.indices { agent.apps[i].statuses = [] }
                    }(&w, now)
                }, expected: .idle),
            Row(when: "newest report working", change: newest(.working), expected: .busy),
            Row(when: "newest report failure", change: newest(.failure), expected: .needsInput),
            Row(when: "newest report complete", change: newest(.complete), expected: .complete),
            Row(when: "newest report idle", change: newest(.idle), expected: .idle),
            Row(
                when: "a working report older than the current start build",
                change: { w, now in
                    w.latestBuild.transition = .start
                    w.latestBuild.createdAt = now.addingTimeInterval(-30)
                    w.latestAppStatus = report(.working, at: now.addingTimeInterval(-600))
                    agents { agent in agent.readyAt = now.addingTimeInterval(-120) }(&w, now)
                }, expected: .idle),
        ]

    @Test(arguments: rows) func statusFollowsTheTable(_ row: Row) throws {
        var workspace = try FleetFixtures.runningWorkspace()
        let now = Date()
        workspace.latestBuild.status = .running
        row.change(&workspace, now)
        let derived = StatusModel.derive(workspace, now: now)
        #expect(derived.status == row.expected, "\(row.when): \(derived.reason ?? "")")
        if [.failed, .starting].contains(row.expected) && row.when.hasPrefix("running") {
            #expect(derived.reason?.isEmpty == false, "a \(row.expected.rawValue) agent says why")
        }
    }

    @Test func filtersAcceptStatusesAndGroups() {
        #expect(Fleet.AgentStatus.matching(filter: "needs-input") == [.needsInput])
        #expect(Fleet.AgentStatus.matching(filter: "WAITING") == [.idle, .complete, .needsInput])
        #expect(Fleet.AgentStatus.matching(filter: "nonsense") == nil)
    }
}
