import CoderAPI
import Foundation

/// One change of an agent's status, with the report or build that caused it and Coder's time for it.
public struct FleetEvent: Codable, Sendable, Hashable {
    public var agent: String
    public var project: String
    public var oldStatus: AgentStatus
    public var newStatus: AgentStatus
    /// Coder's time of the report or build that caused the change; events are ordered by it.
    public var at: Date
    /// The report that caused it, if a report did.
    public var report: HistoryEntry?
    /// Why, when a build caused it (a failed build, a pause).
    public var reason: String?

    public init(agent: String, project: String, oldStatus: AgentStatus, newStatus: AgentStatus, at: Date, report: HistoryEntry?, reason: String?) {
        self.agent = agent
        self.project = project
        self.oldStatus = oldStatus
        self.newStatus = newStatus
        self.at = at
        self.report = report
        self.reason = reason
    }

    public static let schema = JSONSchema.object(
        [
            "agent": .string("Agent name"), "project": .string("Project"),
            "old_status": .agentStatus, "new_status": .agentStatus,
            "at": .time, "report": HistoryEntry.schema, "reason": .string("Why, when a build caused the change"),
        ], required: ["agent", "project", "old_status", "new_status", "at"])
}

/// Reads status changes out of workspaces as Coder returns them, with no memory of earlier reads: each
/// workspace carries its current build and every report of it, each with Coder's own timestamp, so the changes
/// after a given time can be recomputed from one workspace list by any process (`wait_for_fleet`'s cursor).
public enum FleetEvents {
    /// How fine-grained the events are.
    public enum Granularity: Sendable {
        /// Changes of status (and a new question or completion): what `wait_for_fleet` and notifications want.
        case statusChanges
        /// Also every report, every build change and the end of the first-report grace: anything that changes
        /// what an agent's resource shows (resource subscriptions).
        case everyChange
    }

    /// Every status change of one agent after `cursor`, oldest first.
    ///
    /// Reports change the status when their state differs from the previous one, or when a new question or a new
    /// completion arrives with another message. A failed, paused, stopped or deleted build is a change at the time
    /// its job completed.
    public static func changes(
        of workspace: WorkspaceView, agent: String, after cursor: Date, granularity: Granularity = .statusChanges, now: Date = Date()
    ) -> [FleetEvent] {
        let build = workspace.latestBuild
        let reports = AgentApps.reports(in: workspace).reversed().filter { report in
            !(build.transition == .start && report.createdAt < build.createdAt)
        }
        var previous: AgentStatus = .starting
        var previousMessage = ""
        var events: [FleetEvent] = []
        for report in reports {
            let status = AgentStatus(reporting: report.state)
            let changed =
                granularity == .everyChange || status != previous || ([.needsInput, .complete].contains(status) && report.message != previousMessage)
            if changed, report.createdAt > cursor {
                events.append(
                    FleetEvent(
                        agent: agent, project: workspace.templateName, oldStatus: previous, newStatus: status, at: report.createdAt,
                        report: HistoryEntry(report), reason: nil))
            }
            previous = status
            previousMessage = report.message
        }
        let derived = StatusModel.derive(workspace)
        if [.failed, .paused, .stopped, .deleted].contains(derived.status), build.status != .running,
            let finished = build.job.completedAt, finished > cursor
        {
            events.append(
                FleetEvent(
                    agent: agent, project: workspace.templateName, oldStatus: previous, newStatus: derived.status, at: finished, report: nil,
                    reason: derived.reason))
        } else if granularity == .everyChange {
            // A build that changed (queued, started, stopped, cancelled), at Coder's time for it.
            if build.updatedAt > cursor, !events.contains(where: { $0.at >= build.updatedAt }) {
                events.append(
                    FleetEvent(
                        agent: agent, project: workspace.templateName, oldStatus: previous, newStatus: derived.status, at: build.updatedAt,
                        report: nil, reason: derived.reason))
            }
            // The first-report grace ended (starting → idle): a time Coder's data fixes, so every process agrees on it.
            let readyAt = build.resources.flatMap { $0.agents ?? [] }.compactMap(\.readyAt).max()
            if reports.isEmpty, let readyAt {
                let ended = readyAt.addingTimeInterval(StatusModel.firstReportGrace)
                if ended > cursor, ended <= now {
                    events.append(
                        FleetEvent(
                            agent: agent, project: workspace.templateName, oldStatus: .starting, newStatus: derived.status, at: ended,
                            report: nil, reason: derived.reason))
                }
            }
        }
        return events
    }

    /// A running agent that failed without a report or a build (Claude Code crashed, the agent disconnected):
    /// Coder keeps no time for that, so the event carries the agent's newest time, and the cursor remembers
    /// that it was reported (`FleetCursor.acknowledged`) for as long as the agent stays failed.
    public static func untimedFailure(of workspace: WorkspaceView, agent: String) -> FleetEvent? {
        guard workspace.latestBuild.status == .running else { return nil }
        let derived = StatusModel.derive(workspace)
        guard derived.status == .failed else { return nil }
        let previous = AgentApps.reports(in: workspace).first.map { AgentStatus(reporting: $0.state) } ?? .starting
        return FleetEvent(
            agent: agent, project: workspace.templateName, oldStatus: previous, newStatus: .failed, at: StatusModel.lastEventAt(workspace),
            report: nil, reason: derived.reason)
    }

    /// The newest time any of these workspaces changed: a cursor meaning "now" in Coder's clock.
    public static func newestTime(in workspaces: [WorkspaceView]) -> Date? {
        workspaces.map { StatusModel.lastEventAt($0) }.max()
    }
}

/// A `wait_for_fleet` cursor, opaque to callers: a Coder timestamp, and the agents whose untimed failure was
/// already reported (a short id each), so the cursor alone says what the caller has seen.
public struct FleetCursor: Sendable, Hashable {
    public var time: Date
    /// Workspace-id prefixes of agents whose failure without a Coder time was reported.
    public var acknowledged: Set<String>

    public init(time: Date, acknowledged: Set<String> = []) {
        self.time = time
        self.acknowledged = acknowledged
    }

    /// The short id a workspace has in a cursor.
    public static func key(_ workspace: WorkspaceView) -> String { String(workspace.id.prefix(12)) }

    public var encoded: String {
        CoderDate.format(time) + (acknowledged.isEmpty ? "" : "|" + acknowledged.sorted().joined(separator: ","))
    }

    public static func decode(_ text: String) throws -> FleetCursor {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "|", maxSplits: 1)
        guard let first = parts.first, let time = CoderDate.parse(String(first)) else {
            throw FleetError(
                .invalidArgument, "since '\(Echo.cap(text, 40))' is not a cursor wait_for_fleet returned; omit it to wait for new events.")
        }
        let keys = parts.count > 1 ? parts[1].split(separator: ",").map(String.init) : []
        guard keys.allSatisfy({ key in key.count <= 12 && key.allSatisfy { $0.isHexDigit || $0 == "-" } }) else {
            throw FleetError(
                .invalidArgument, "since '\(Echo.cap(text, 40))' is not a cursor wait_for_fleet returned; omit it to wait for new events.")
        }
        return FleetCursor(time: time, acknowledged: Set(keys))
    }
}
