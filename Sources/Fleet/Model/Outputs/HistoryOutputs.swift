import CoderAPI
import Foundation

/// One status report (`coder_report_task`) of an agent.
public struct HistoryEntry: Codable, Sendable, Hashable, PageItem {
    public var id: String
    public var state: String
    public var message: String
    public var uri: String
    public var needsUserAttention: Bool
    public var createdAt: Date

    public init(id: String, state: String, message: String, uri: String, needsUserAttention: Bool, createdAt: Date) {
        self.id = id
        self.state = state
        self.message = message
        self.uri = uri
        self.needsUserAttention = needsUserAttention
        self.createdAt = createdAt
    }

    public static let pageKey = "tasks"

    public static let schema = JSONSchema.object(
        [
            "id": .string("Report id"),
            "state": .string("working, idle, complete or failure"),
            "message": .string("What the agent reported"),
            "uri": .string("Link the agent reported (often a pull request)"),
            "needs_user_attention": .boolean("The agent is waiting for a person"),
            "created_at": .time,
        ], required: ["id", "state", "message", "uri", "needs_user_attention", "created_at"])
}

extension HistoryEntry {
    init(_ status: WorkspaceAppStatus) {
        self.init(
            id: status.id, state: status.state.rawValue, message: status.message, uri: status.uri,
            needsUserAttention: status.needsUserAttention || status.state == .failure, createdAt: status.createdAt)
    }
}

/// One turn of the conversation.
public struct LogEntry: Codable, Sendable, Hashable, PageItem {
    public var id: Int
    /// `input` (to the agent) or `output` (from it).
    public var type: String
    public var content: String
    public var time: Date

    public static let pageKey = "logs"

    public static let schema = JSONSchema.object(
        [
            "id": .integer("Turn index"),
            "type": .string("input (to the agent) or output (from it)", enumeration: ["input", "output"]),
            "content": .string("Text of the turn"),
            "time": .time,
        ], required: ["id", "type", "content", "time"])
}

/// An item of a paged result: the key its list has in the page, and its schema.
public protocol PageItem: Codable, Sendable, Hashable {
    static var pageKey: String { get }
    static var schema: JSONSchema { get }
}

/// A 1-indexed page, newest first; its items are listed under `Item.pageKey` (`tasks`, `logs`).
public struct Page<Item: PageItem>: FleetOutput, Hashable {
    public var agentName: String
    public var items: [Item]
    public var totalCount: Int
    public var page: Int
    public var pageSize: Int
    public var totalPages: Int
    public var hasNextPage: Bool
    public var hasPreviousPage: Bool

    /// Slices `all` (already newest first). Any page number is safe: one past the end is empty.
    public init(agentName: String, all: [Item], page: Int, pageSize: Int) {
        self.agentName = agentName
        totalCount = all.count
        self.page = page
        self.pageSize = pageSize
        totalPages = max(1, (all.count + pageSize - 1) / pageSize)
        // Checked: a caller may ask for page 2^62.
        let (offset, overflow) = (max(page, 1) - 1).multipliedReportingOverflow(by: pageSize)
        let start = overflow ? all.count : min(offset, all.count)
        items = Array(all[start..<min(start + pageSize, all.count)])
        hasNextPage = start + pageSize < all.count
        hasPreviousPage = page > 1
    }

    enum Keys: String, CodingKey {
        case agentName = "agent_name", totalCount = "total_count", page, pageSize = "page_size", totalPages = "total_pages"
        case hasNextPage = "has_next_page", hasPreviousPage = "has_previous_page"
    }

    struct ItemsKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(agentName, forKey: .agentName)
        try container.encode(totalCount, forKey: .totalCount)
        try container.encode(page, forKey: .page)
        try container.encode(pageSize, forKey: .pageSize)
        try container.encode(totalPages, forKey: .totalPages)
        try container.encode(hasNextPage, forKey: .hasNextPage)
        try container.encode(hasPreviousPage, forKey: .hasPreviousPage)
        var list = encoder.container(keyedBy: ItemsKey.self)
        try list.encode(items, forKey: ItemsKey(stringValue: Item.pageKey))
    }

    public static var schema: JSONSchema { schema(adding: [:]) }

    /// The page's schema with extra top-level properties (all required).
    static func schema(adding extra: [String: JSONSchema]) -> JSONSchema {
        var properties: [String: JSONSchema] = [
            "agent_name": .string("Agent name"),
            Item.pageKey: .array(Item.schema, "Newest first"),
            "total_count": .integer("Items across all pages"),
            "page": .integer("This page (1-indexed)"),
            "page_size": .integer("Items per page"),
            "total_pages": .integer("Number of pages (at least 1)"),
            "has_next_page": .boolean("Whether a later page exists"),
            "has_previous_page": .boolean("Whether an earlier page exists"),
        ]
        properties.merge(extra) { $1 }
        let required = ["agent_name", Item.pageKey, "total_count", "page", "page_size", "total_pages", "has_next_page", "has_previous_page"]
        return .object(properties, required: required + extra.keys)
    }
}

/// The answer of `show_agent_log`: a page of the conversation and where it came from.
public struct AgentLog: FleetOutput, Hashable {
    public var page: Page<LogEntry>
    /// `tasks_api` or `agentapi`.
    public var source: String
    /// The conversation as stored when the agent was paused, not the live one.
    public var snapshot: Bool
    /// When that snapshot was taken.
    public var snapshotAt: Date?
    /// Why the page is empty or stale, when it is.
    public var note: String?

    enum Keys: String, CodingKey { case source, snapshot, snapshotAt = "snapshot_at", note }

    public func encode(to encoder: any Encoder) throws {
        try page.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(source, forKey: .source)
        try container.encode(snapshot, forKey: .snapshot)
        try container.encodeIfPresent(snapshotAt, forKey: .snapshotAt)
        try container.encodeIfPresent(note, forKey: .note)
    }

    public static let schema = Page<LogEntry>.schema(adding: [
        "source": .string("tasks_api or agentapi", enumeration: ["tasks_api", "agentapi"]),
        "snapshot": .boolean("The conversation as Coder stored it when the agent was paused (not live)"),
    ]).adding(["snapshot_at": .time, "note": .string("Why the log is empty or not live, when it is")])
}
