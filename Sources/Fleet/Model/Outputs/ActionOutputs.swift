import CoderAPI
import Foundation

/// The answer to a write (create, start, cancel, restart, delete).
public struct ActionResult: FleetOutput, Codable, Hashable {
    public var agent: String
    public var status: AgentStatus
    public var message: String
    public var workspaceID: String?
    public var buildID: String?
    public var role: String?
    public var project: String?
    public var task: String?
    /// For a task given to a paused agent: whether it was delivered (false: the agent was still resuming).
    public var delivered: Bool?

    public init(
        agent: String, status: AgentStatus, message: String, workspaceID: String? = nil, buildID: String? = nil, role: String? = nil,
        project: String? = nil, task: String? = nil, delivered: Bool? = nil
    ) {
        self.agent = agent
        self.status = status
        self.message = message
        self.workspaceID = workspaceID
        self.buildID = buildID
        self.role = role
        self.project = project
        self.task = task
        self.delivered = delivered
    }

    public static let schema = JSONSchema.object(
        [
            "delivered": .boolean("For a task given to a paused agent: whether it was sent (false: still resuming, send it again later)"),
            "agent": .string("Agent name"),
            "status": .agentStatus,
            "message": .string("What happened and what to do next"),
            "workspace_id": .string("Coder workspace id"),
            "build_id": .string("Coder build id of the build this started"),
            "role": .string("Role applied"),
            "project": .string("Project"),
            "task": .string("The task text"),
        ], required: ["agent", "status", "message"])
}

/// The answer of `wait_for_agent`.
public struct WaitResult: FleetOutput, Codable, Hashable {
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

    public static let schema = JSONSchema.object(
        [
            "agent": .string("Agent name"), "status": .agentStatus, "previous_status": .agentStatus,
            "changed": .boolean("The status changed while waiting"), "timed_out": .boolean("The wait ended by timeout"),
            "waited_seconds": .number("Seconds waited"), "last_task": .string("Newest reported message"),
            "pull_request": .string("Newest pull-request link"),
            "new_reports": .array(HistoryEntry.schema, "Reports that arrived while waiting, oldest first"),
            "status_reason": .string("Why the agent has this status"),
        ], required: ["agent", "status", "previous_status", "changed", "timed_out", "waited_seconds", "new_reports"])
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
