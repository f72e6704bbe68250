import CoderAPI
import Foundation

// What the fleet operations return. Keys are encoded snake_case (see `FleetJSON`).

/// A Coder template with an `AI Prompt` parameter on its active version.
public struct Project: Codable, Sendable, Hashable {
    public var name: String
    public var displayName: String
    public var description: String
    public var templateID: String
    public var activeVersionID: String
    public var organization: String
    /// The role (preset) used when `create_agent` names none.
    public var defaultRole: String?
    public var roles: [String]
}

/// A preset of a project's active template version.
public struct Role: Codable, Sendable, Hashable {
    public var name: String
    public var description: String
    public var isDefault: Bool
    public var presetID: String
    /// Parameter names the preset sets (e.g. `system_prompt`); values are not repeated here.
    public var sets: [String]

    enum CodingKeys: String, CodingKey {
        case name, description, isDefault = "default", presetID = "preset_id", sets
    }
}

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
}

/// Everything `show_agent` knows about one agent.
public struct AgentDetail: Codable, Sendable, Hashable {
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
}

public struct WorkspaceAgentSummary: Codable, Sendable, Hashable {
    public var name: String
    public var status: String
    public var lifecycle: String
    public var healthy: Bool
    public var healthReason: String?
    public var version: String
}

public struct AppSummary: Codable, Sendable, Hashable {
    public var slug: String
    public var displayName: String
    /// The app through Coder's path-based proxy (external apps: their own URL).
    public var url: String
    public var health: String
    public var isAgentAPI: Bool
}

/// One status report (`coder_report_task`) of an agent.
public struct HistoryEntry: Codable, Sendable, Hashable {
    public var id: String
    public var state: String
    public var message: String
    public var uri: String
    public var needsUserAttention: Bool
    public var createdAt: Date
}

/// One turn of the conversation.
public struct LogEntry: Codable, Sendable, Hashable {
    public var id: Int
    /// `input` (to the agent) or `output` (from it).
    public var type: String
    public var content: String
    public var time: Date
}

/// A 1-indexed page, newest first.
public struct Page<Item: Codable & Sendable & Hashable>: Codable, Sendable, Hashable {
    public var agentName: String
    public var items: [Item]
    public var totalCount: Int
    public var page: Int
    public var pageSize: Int
    public var totalPages: Int
    public var hasNextPage: Bool
    public var hasPreviousPage: Bool

    /// Slices `all` (already newest first).
    public init(agentName: String, all: [Item], page: Int, pageSize: Int) {
        self.agentName = agentName
        totalCount = all.count
        self.page = page
        self.pageSize = pageSize
        totalPages = max(1, (all.count + pageSize - 1) / pageSize)
        let start = min((page - 1) * pageSize, all.count)
        items = Array(all[start..<min(start + pageSize, all.count)])
        hasNextPage = start + pageSize < all.count
        hasPreviousPage = page > 1
    }
}

/// The answer to a write (create, start, cancel, restart, delete).
public struct ActionResult: Codable, Sendable, Hashable {
    public var agent: String
    public var status: AgentStatus
    public var message: String
    public var workspaceID: String?
    public var buildID: String?
    public var role: String?
    public var project: String?
    public var task: String?
}

/// The answer of `wait_for_agent`.
public struct WaitResult: Codable, Sendable, Hashable {
    public var agent: String
    public var status: AgentStatus
    public var previousStatus: AgentStatus
    public var changed: Bool
    public var timedOut: Bool
    public var waitedSeconds: Double
    public var lastTask: String?
    public var pullRequest: String?
    /// Reports that arrived while waiting, oldest first.
    public var newReports: [HistoryEntry]
    public var statusReason: String?
}

/// A page of `list_agents`.
public struct AgentList: Codable, Sendable, Hashable {
    public var agents: [AgentSummary]
    /// Agents matching the filters, across all pages.
    public var totalCount: Int
    /// Pass as `cursor` for the next page; absent on the last page.
    public var nextCursor: String?
    public var counts: [String: Int]
}

/// JSON output conventions of the fleet: snake_case keys, RFC 3339 times.
public enum FleetJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = CoderJSON.encoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

extension HistoryEntry {
    init(_ status: WorkspaceAppStatus) {
        self.init(id: status.id, state: status.state.rawValue, message: status.message, uri: status.uri,
                  needsUserAttention: status.needsUserAttention || status.state == .failure, createdAt: status.createdAt)
    }
}
