import CoderAPI
import Foundation

/// One agent as `list_agents` shows it.
public struct AgentSummary: Codable, Sendable, Hashable {
    public var name: String
    public var workspaceName: String
    public var workspaceID: String
    public var owner: String
    public var status: AgentStatus
    public var statusReason: String?
    public var project: String
    public var role: String?
    /// The newest status message the agent reported.
    public var lastTask: String?
    public var pullRequest: String?
    /// The newest status report or build change: a stalled agent shows an old time here.
    public var lastEventAt: Date
    public var createdAt: Date
    /// For a paused agent: `user` or `idle_timeout`.
    public var pausedBy: String?
    /// For a paused agent: when the pause took effect.
    public var pausedSince: Date?

    public static let schema = JSONSchema.object(
        [
            "name": .string("Agent name (without the workspace prefix)"),
            "workspace_name": .string("Coder workspace name"),
            "workspace_id": .string("Coder workspace id"),
            "owner": .string("Workspace owner"),
            "status": .agentStatus,
            "status_reason": .string("Why the agent has this status, when not obvious"),
            "project": .string("Project (Coder template) name"),
            "role": .string("Role (preset) the agent was created with"),
            "last_task": .string("The newest status message the agent reported"),
            "pull_request": .string("Newest pull-request link the agent reported"),
            "last_event_at": .time,
            "created_at": .time,
            "paused_by": .string(
                "Who paused the agent: user, or idle_timeout (Coder paused it after it sat idle)", enumeration: ["user", "idle_timeout"]),
            "paused_since": .time,
        ], required: ["name", "workspace_name", "workspace_id", "owner", "status", "project", "last_event_at", "created_at"])
}

/// A page of `list_agents`.
public struct AgentList: FleetOutput, Hashable {
    public var agents: [AgentSummary]
    /// Agents matching the filters, across all pages.
    public var totalCount: Int
    /// Pass as `cursor` for the next page; absent on the last page.
    public var nextCursor: String?
    public var counts: [String: Int]

    public init(agents: [AgentSummary], totalCount: Int, nextCursor: String?, counts: [String: Int]) {
        self.agents = agents
        self.totalCount = totalCount
        self.nextCursor = nextCursor
        self.counts = counts
    }

    public static let schema = JSONSchema.object(
        [
            "agents": .array(AgentSummary.schema, "Agents, by name"),
            "total_count": .integer("Agents matching the filters, across pages"),
            "next_cursor": .string("Pass as cursor for the next page; absent on the last page"),
            "counts": .map(.integer("Agents"), "Agents per status (project filter applied, status filter not)"),
        ], required: ["agents", "total_count", "counts"])
}

/// Everything `show_agent` knows about one agent.
public struct AgentDetail: FleetOutput, Hashable {
    public var agent: AgentSummary
    /// The prompt the agent was created with (`AI Prompt`).
    public var taskPrompt: String?
    public var build: BuildInfoSummary
    public var workspaceAgent: WorkspaceAgentSummary?
    public var apps: [AppSummary]
    public var pullRequest: PullRequest?
    public var latestReport: HistoryEntry?
    public var templateVersionID: String
    public var outdated: Bool
    public var tasksAPI: String

    public static let schema = JSONSchema.object(
        [
            "agent": AgentSummary.schema,
            "task_prompt": .string("The prompt the agent was created with"),
            "build": BuildInfoSummary.schema,
            "workspace_agent": WorkspaceAgentSummary.schema,
            "apps": .array(AppSummary.schema, "Workspace apps"),
            "pull_request": PullRequest.schema,
            "latest_report": HistoryEntry.schema,
            "template_version_id": .string("Template version of the build"),
            "outdated": .boolean("A newer template version is active"),
            "tasks_api": .string("How fleet-mcp reaches the agent: stable, experimental, or none (AgentAPI)"),
        ], required: ["agent", "build", "apps", "template_version_id", "outdated", "tasks_api"])
}

public struct BuildInfoSummary: Codable, Sendable, Hashable {
    public var id: String
    public var number: Int
    public var transition: String
    public var status: String
    public var jobStatus: String
    public var jobError: String?
    public var reason: String
    public var createdAt: Date
    public var completedAt: Date?

    public static let schema = JSONSchema.object(
        [
            "id": .string("Build id"), "number": .integer("Build number"), "transition": .string("start, stop or delete"),
            "status": .string("Workspace status"), "job_status": .string("Provisioner job status"),
            "job_error": .string("Build error"), "reason": .string("Why the build ran"),
            "created_at": .time, "completed_at": .time,
        ], required: ["id", "number", "transition", "status", "job_status", "reason", "created_at"])
}

public struct WorkspaceAgentSummary: Codable, Sendable, Hashable {
    public var name: String
    public var status: String
    public var lifecycle: String
    public var healthy: Bool
    public var healthReason: String?
    public var version: String

    public static let schema = JSONSchema.object(
        [
            "name": .string("Agent name in the template"), "status": .string("connecting, connected, disconnected, timeout"),
            "lifecycle": .string("created, starting, ready, …"), "healthy": .boolean("Coder's health verdict"),
            "health_reason": .string("Why unhealthy"), "version": .string("Agent version"),
        ], required: ["name", "status", "lifecycle", "healthy", "version"])
}

public struct AppSummary: Codable, Sendable, Hashable {
    public var slug: String
    public var displayName: String
    /// The app through Coder's path-based proxy (external apps: their own URL).
    public var url: String
    public var health: String
    public var isAgentAPI: Bool

    public static let schema = JSONSchema.object(
        [
            "slug": .string("App slug"), "display_name": .string("App name"), "url": .string("App URL through Coder"),
            "health": .string("App health"), "is_agent_api": .boolean("The AgentAPI (Claude Code) app"),
        ], required: ["slug", "display_name", "url", "health", "is_agent_api"])
}

/// One agent as the `fleet://agents/{name}` resource shows it: status, latest report, pull request.
public struct AgentCard: FleetOutput, Hashable {
    public var agent: AgentSummary
    public var latestReport: HistoryEntry?
    public var pullRequest: PullRequest?

    public static let schema = JSONSchema.object(
        ["agent": AgentSummary.schema, "latest_report": HistoryEntry.schema, "pull_request": PullRequest.schema], required: ["agent"])
}
