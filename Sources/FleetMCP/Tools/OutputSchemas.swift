import Fleet
import MCP

/// Output schemas, one per result type. They describe exactly what `FleetJSON` encodes; the interop test
/// has the Python SDK validate every structured result against them.
enum OutputSchemas {
    static let agentSummary = Schema.object([
        "name": Schema.string("Agent name (without the workspace prefix)"),
        "workspace_name": Schema.string("Coder workspace name"),
        "workspace_id": Schema.string("Coder workspace id"),
        "owner": Schema.string("Workspace owner"),
        "status": Schema.agentStatus,
        "status_reason": Schema.string("Why the agent has this status, when not obvious"),
        "project": Schema.string("Project (Coder template) name"),
        "role": Schema.string("Role (preset) the agent was created with"),
        "last_task": Schema.string("The newest status message the agent reported"),
        "pull_request": Schema.string("Newest pull-request link the agent reported"),
        "last_event_at": Schema.time,
        "created_at": Schema.time,
    ], required: ["name", "workspace_name", "workspace_id", "owner", "status", "project", "last_event_at", "created_at"])

    static let project = Schema.object([
        "name": Schema.string("Project name (the Coder template name); pass it to create_agent"),
        "display_name": Schema.string("Template display name"),
        "description": Schema.string("Template description"),
        "template_id": Schema.string("Coder template id"),
        "active_version_id": Schema.string("Active template version id"),
        "organization": Schema.string("Coder organization"),
        "default_role": Schema.string("Role used when create_agent names none"),
        "roles": Schema.array(Schema.string("Role name"), "Role names"),
    ], required: ["name", "display_name", "description", "template_id", "active_version_id", "organization", "roles"])

    static let role = Schema.object([
        "name": Schema.string("Role name; pass it to create_agent"),
        "description": Schema.string("What the role is for"),
        "default": Schema.boolean("Used when create_agent names no role"),
        "preset_id": Schema.string("Coder preset id"),
        "sets": Schema.array(Schema.string("Parameter name"), "Template parameters the role sets"),
    ], required: ["name", "description", "default", "preset_id", "sets"])

    static let historyEntry = Schema.object([
        "id": Schema.string("Report id"),
        "state": Schema.string("working, idle, complete or failure"),
        "message": Schema.string("What the agent reported"),
        "uri": Schema.string("Link the agent reported (often a pull request)"),
        "needs_user_attention": Schema.boolean("The agent is waiting for a person"),
        "created_at": Schema.time,
    ], required: ["id", "state", "message", "uri", "needs_user_attention", "created_at"])

    static let logEntry = Schema.object([
        "id": Schema.integer("Turn index"),
        "type": Schema.string("input (to the agent) or output (from it)", enumeration: ["input", "output"]),
        "content": Schema.string("Text of the turn"),
        "time": Schema.time,
    ], required: ["id", "type", "content", "time"])

    static let pullRequest = Schema.object([
        "url": Schema.string("Pull request URL"),
        "forge": Schema.string("github, gitlab, bitbucket or gitea"),
        "repository": Schema.string("owner/name"),
        "number": Schema.integer("Pull request number"),
        "reported_at": Schema.time,
        "title": Schema.string("Title (from the forge)"),
        "state": Schema.string("open, draft, closed or merged (from the forge)"),
        "mergeable": Schema.string("Mergeability as the forge reports it (GitHub mergeable_state, GitLab merge status)"),
        "review": Schema.string("approved, changes_requested, review_required, commented or none (from the forge)"),
        "checks": Schema.string("success, failure, pending or none (from the forge)"),
        "enrichment_error": Schema.string("Why the forge could not be asked"),
    ], required: ["url", "forge", "repository", "number"])

    static let action = Schema.object([
        "agent": Schema.string("Agent name"),
        "status": Schema.agentStatus,
        "message": Schema.string("What happened and what to do next"),
        "workspace_id": Schema.string("Coder workspace id"),
        "build_id": Schema.string("Coder build id of the build this started"),
        "role": Schema.string("Role applied"),
        "project": Schema.string("Project"),
        "task": Schema.string("The task text"),
    ], required: ["agent", "status", "message"])

    static func page(_ key: String, _ item: Value, _ extra: [String: Value] = [:]) -> Value {
        var properties: [String: Value] = [
            "agent_name": Schema.string("Agent name"),
            key: Schema.array(item, "Newest first"),
            "total_count": Schema.integer("Items across all pages"),
            "page": Schema.integer("This page (1-indexed)"),
            "page_size": Schema.integer("Items per page"),
            "total_pages": Schema.integer("Number of pages (at least 1)"),
            "has_next_page": Schema.boolean("Whether a later page exists"),
            "has_previous_page": Schema.boolean("Whether an earlier page exists"),
        ]
        properties.merge(extra) { $1 }
        return Schema.object(properties, required: ["agent_name", key, "total_count", "page", "page_size", "total_pages", "has_next_page", "has_previous_page"] + extra.keys)
    }
}
