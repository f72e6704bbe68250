import CoderAPI
import Foundation
import Testing

@testable import Fleet

/// The fleet's one event source: `wait_for_fleet` and notifications read status changes, resource subscriptions
/// every change; "attention" is one definition (`Attention`) for all of them and for the inbox.
@Suite struct FleetEventsTests {
    /// A running workspace with exactly these reports (oldest first) on its Claude Code app.
    static func workspace(reports: [(AppStatusState, String)], start: Date) throws -> WorkspaceView {
        var workspace = try FleetFixtures.runningWorkspace()
        workspace.latestBuild.createdAt = start
        workspace.latestBuild.updatedAt = start
        let statuses = reports.enumerated().map { index, report in
            StatusModelTests.report(report.0, at: start.addingTimeInterval(Double(index + 1) * 10), message: report.1)
        }
        for r in workspace.latestBuild.resources.indices {
            for a in (workspace.latestBuild.resources[r].agents ?? []).indices {
                for p in workspace.latestBuild.resources[r].agents![a].apps.indices {
                    workspace.latestBuild.resources[r].agents![a].apps[p].statuses = []
                }
            }
        }
        workspace.latestBuild.resources[0].agents![0].apps[0].statuses = statuses
        workspace.latestAppStatus = statuses.last
        return workspace
    }

    @Test func statusChangesSkipProgressReportsEveryChangeKeepsThem() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let workspace = try Self.workspace(
            reports: [(.working, "Reading"), (.working, "Editing"), (.complete, "Done")], start: start)
        let coarse = FleetEvents.changes(of: workspace, agent: "a", after: start)
        #expect(coarse.map(\.newStatus) == [.busy, .complete])
        let fine = FleetEvents.changes(of: workspace, agent: "a", after: start, granularity: .everyChange)
        #expect(fine.map { $0.report?.message } == ["Reading", "Editing", "Done"])
        // A cursor in the middle: only what came after it, in both modes.
        let later = start.addingTimeInterval(15)
        #expect(FleetEvents.changes(of: workspace, agent: "a", after: later, granularity: .everyChange).count == 2)
    }

    @Test func aBuildChangeIsAnEventForSubscribersOnly() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var workspace = try Self.workspace(reports: [(.working, "Reading")], start: start)
        workspace.latestBuild.updatedAt = start.addingTimeInterval(100)
        workspace.latestBuild.status = .starting
        let after = start.addingTimeInterval(50)
        #expect(FleetEvents.changes(of: workspace, agent: "a", after: after).isEmpty)
        let fine = FleetEvents.changes(of: workspace, agent: "a", after: after, granularity: .everyChange)
        #expect(fine.map(\.newStatus) == [.starting])
        #expect(fine.first?.at == workspace.latestBuild.updatedAt)
    }

    @Test func attentionIsOneDefinition() {
        #expect(Attention.statuses == [.needsInput, .complete, .failed, .idle, .paused])
        #expect(AgentStatus.matching(filter: "attention") == Attention.statuses)
        #expect((try? FleetService.eventTargets(nil)) == Attention.statuses)
        #expect((try? FleetService.eventTargets("attention")) == Attention.statuses)
        for status in AgentStatus.allCases { #expect((Attention.reason(for: status) != nil) == Attention.statuses.contains(status)) }
    }
}
