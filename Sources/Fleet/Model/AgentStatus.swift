import CoderAPI
import Foundation

/// One status per agent, derived only from what Coder reports (see README, "Status model").
public enum AgentStatus: String, Codable, Sendable, CaseIterable {
    // Build states, when the workspace is not running.
    case pending, starting, stopping, stopped, canceling, canceled, deleting, deleted
    /// Stopped by a pause (by the user, or by Coder after an idle timeout); resume_agent or start_agent_task resumes it.
    case paused
    /// The build failed, or the agent inside a running workspace cannot work (disconnected, start error).
    case failed
    /// Running, agent ready, Claude Code reported `working`.
    case busy
    /// Running and ready; the newest report is `idle`, or there is none yet.
    case idle
    /// Running and ready; the newest report is `complete`.
    case complete
    /// Running and ready; the newest report is `failure`, which Claude Code's Coder prompt uses to ask the user.
    case needsInput = "needs_input"

    /// The status a report's state puts a running, ready agent in: `failure` is how Claude Code's Coder prompt asks.
    public init(reporting state: AppStatusState) {
        switch state {
        case .working: self = .busy
        case .failure: self = .needsInput
        case .complete: self = .complete
        case .idle, .unknown: self = .idle
        }
    }

    /// Whether the agent can take a new task right now.
    public var acceptsTasks: Bool { [.idle, .complete, .needsInput].contains(self) }

    /// A state `wait_for_agent` stops at by default.
    public var isSettled: Bool { [.idle, .complete, .needsInput, .failed, .stopped, .paused, .canceled, .deleted].contains(self) }

    /// Accepts the status names plus the groups `running` (busy, idle, complete, needs_input), `offline`
    /// (stopping, stopped, paused, canceling, canceled, deleting, deleted) and `waiting` (idle, complete, needs_input).
    public static func matching(filter: String) -> Set<AgentStatus>? {
        let key = filter.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "-", with: "_")
        if let status = AgentStatus(rawValue: key) { return [status] }
        switch key {
        case "running", "active": return [.busy, .idle, .complete, .needsInput]
        case "offline": return [.stopping, .stopped, .paused, .canceling, .canceled, .deleting, .deleted]
        case "waiting", "ready": return [.idle, .complete, .needsInput]
        case "needsinput", "needs input": return [.needsInput]
        case "attention": return Attention.statuses
        default: return nil
        }
    }

    public static let filterVocabulary = AgentStatus.allCases.map(\.rawValue) + ["running", "offline", "waiting", "attention"]
}

/// The status of one workspace and why.
public struct DerivedStatus: Sendable, Hashable {
    public var status: AgentStatus
    /// Why, when it is not obvious from the status (a build error, a disconnected agent).
    public var reason: String?
    /// The newest status report that counts (not older than the current build).
    public var report: WorkspaceAppStatus?
}

/// Why and since when an agent is paused: its latest build is a stop with a pause reason.
public struct PauseInfo: Sendable, Hashable {
    /// `user` (pause_agent, Coder's pause button) or `idle_timeout` (Coder paused it after it sat idle).
    public var by: String
    public var since: Date

    init?(_ build: BuildView) {
        guard build.transition == .stop, build.status == .stopped, Self.isPause(build.reason) else { return nil }
        by = build.reason == .taskAutoPause ? "idle_timeout" : "user"
        since = build.job.completedAt ?? build.updatedAt
    }

    static func isPause(_ reason: BuildReason) -> Bool { reason == .taskManualPause || reason == .taskAutoPause }

    /// For status reasons: "paused by the user since …" / "paused after an idle timeout since …".
    var reason: String {
        (by == "idle_timeout" ? "paused after an idle timeout" : "paused by the user") + " since " + CoderDate.format(since)
    }
}

/// Derives an agent's status from its workspace (pure; no requests).
public enum StatusModel {
    /// How long a ready agent may stay silent before fleet-mcp calls it idle rather than starting.
    public static let firstReportGrace: TimeInterval = 60

    public static func derive(_ workspace: WorkspaceView, now: Date = Date()) -> DerivedStatus {
        let build = workspace.latestBuild
        let report = currentReport(workspace)
        switch build.status {
        case .running:
            break
        case .failed:
            return DerivedStatus(
                status: .failed, reason: build.job.error.map { "build failed: \($0)" } ?? "the \(build.transition) build failed", report: report)
        case .pending where build.transition == .delete:
            return DerivedStatus(status: .deleting, reason: "the delete build is queued", report: report)
        case .pending where build.transition == .stop:
            return DerivedStatus(status: .stopping, reason: PauseInfo.isPause(build.reason) ? "pausing" : "the stop build is queued", report: report)
        case .pending: return DerivedStatus(status: .pending, reason: queueReason(build), report: report)
        case .starting: return DerivedStatus(status: .starting, reason: "workspace is building", report: report)
        case .stopping: return DerivedStatus(status: .stopping, reason: PauseInfo.isPause(build.reason) ? "pausing" : nil, report: report)
        case .stopped:
            if let pause = PauseInfo(build) {
                return DerivedStatus(status: .paused, reason: pause.reason, report: report)
            }
            return DerivedStatus(status: .stopped, report: report)
        case .canceling: return DerivedStatus(status: .canceling, report: report)
        case .canceled: return DerivedStatus(status: .canceled, report: report)
        case .deleting: return DerivedStatus(status: .deleting, report: report)
        case .deleted: return DerivedStatus(status: .deleted, report: report)
        case .unknown(let raw): return DerivedStatus(status: .failed, reason: "unknown workspace status \"\(raw)\"", report: report)
        }
        let agents = build.resources.flatMap { $0.agents ?? [] }
        guard !agents.isEmpty else { return DerivedStatus(status: .starting, reason: "waiting for the workspace agent", report: report) }
        for agent in agents {
            switch agent.status {
            case .connecting: return DerivedStatus(status: .starting, reason: "agent \(agent.name) is connecting", report: report)
            case .disconnected: return DerivedStatus(status: .failed, reason: "agent \(agent.name) disconnected", report: report)
            case .timeout: return DerivedStatus(status: .failed, reason: "agent \(agent.name) timed out connecting", report: report)
            default: break
            }
            switch agent.lifecycleState {
            case .created, .starting:
                return DerivedStatus(status: .starting, reason: "agent \(agent.name) is running its startup scripts", report: report)
            case .startError: return DerivedStatus(status: .failed, reason: "agent \(agent.name) startup script failed", report: report)
            case .startTimeout: return DerivedStatus(status: .failed, reason: "agent \(agent.name) startup timed out", report: report)
            case .shuttingDown, .shutdownError, .shutdownTimeout, .off:
                return DerivedStatus(status: .stopping, reason: "agent \(agent.name) is shutting down", report: report)
            default: break
            }
        }
        if let app = AgentApps.sidebarApp(in: workspace) {
            if app.health == .unhealthy {
                return DerivedStatus(status: .failed, reason: "\(app.displayName) is unhealthy (Coder's health check fails)", report: report)
            }
            if app.health == .initializing, report == nil {
                return DerivedStatus(status: .starting, reason: "\(app.displayName) is initializing", report: report)
            }
        }
        guard let report else {
            // Claude Code reports as soon as it runs (the prompt makes it `working`, the screen watcher reports
            // `idle`); until then, shortly after the agent became ready, it is still starting.
            let readyAt = agents.compactMap(\.readyAt).max()
            if let readyAt, now.timeIntervalSince(readyAt) < firstReportGrace {
                return DerivedStatus(status: .starting, reason: "waiting for Claude Code's first report", report: nil)
            }
            return DerivedStatus(status: .idle, reason: nil, report: nil)
        }
        let status = AgentStatus(reporting: report.state)
        switch report.state {
        case .failure where report.message.isEmpty: return DerivedStatus(status: status, reason: "the agent asked for input", report: report)
        case .unknown(let raw): return DerivedStatus(status: status, reason: "unknown report state \"\(raw)\"", report: report)
        default: return DerivedStatus(status: status, reason: nil, report: report)
        }
    }

    /// The newest report, ignoring reports older than the latest start build (as Coder's task view does).
    static func currentReport(_ workspace: WorkspaceView) -> WorkspaceAppStatus? {
        guard let latest = workspace.latestAppStatus else { return nil }
        let build = workspace.latestBuild
        if build.transition == .start, latest.createdAt < build.createdAt { return nil }
        return latest
    }

    static func queueReason(_ build: BuildView) -> String? {
        build.job.queuePosition > 0 ? "queued at position \(build.job.queuePosition) of \(build.job.queueSize)" : "waiting for a provisioner"
    }

    /// The newest event: the latest report or the latest build change.
    public static func lastEventAt(_ workspace: WorkspaceView) -> Date {
        let build = workspace.latestBuild
        var candidates = [build.createdAt, build.updatedAt]
        if let completed = build.job.completedAt { candidates.append(completed) }
        if let started = build.job.startedAt { candidates.append(started) }
        if let report = workspace.latestAppStatus { candidates.append(report.createdAt) }
        return candidates.max() ?? workspace.updatedAt
    }
}
