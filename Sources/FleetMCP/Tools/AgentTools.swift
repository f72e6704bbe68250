import Fleet
import MCP

/// Agents: create, list, inspect, restart, delete.
enum AgentTools {
    static let agentName = Schema.string("Agent name (case-insensitive; the workspace prefix is optional)", minLength: 1, maxLength: 64)

    static func all(_ fleet: FleetService) -> [FleetTool] {
        [
            FleetTool(
                name: "create_agent", title: "Create agent",
                description: "Create a Claude Code agent in its own Coder workspace and give it its first task. Returns at once with the agent pending or starting; follow it with wait_for_agent.",
                input: [
                    "name": Schema.string("Unique short agent name (e.g., Sony, Papi): letters, digits and single hyphens", minLength: 1, maxLength: 32),
                    "project": Schema.string("Project name (e.g., Setup, DataOne); see list_agent_projects", minLength: 1),
                    "task": Schema.string("Task description defining objectives and constraints", minLength: 1),
                    "role": Schema.string("Agent role matching a Coder workspace preset (e.g., coder, operator); see list_agent_roles. Omit for the project's default role."),
                ],
                required: ["name", "project", "task"],
                output: OutputSchemas.action,
                annotations: .init(readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true)
            ) { arguments, _ in
                try structured(try await fleet.createAgent(name: try arguments.requiredString("name"), project: try arguments.requiredString("project"),
                                                           task: try arguments.requiredString("task"), role: try arguments.string("role")))
            },
            FleetTool(
                name: "list_agents", title: "List agents",
                description: "List the fleet's agents with status, project, role, last reported task, pull request and last event time. Paged with next_cursor.",
                input: [
                    "status_filter": Schema.string("Only agents with this status: \(AgentStatus.filterVocabulary.joined(separator: ", "))"),
                    "project_filter": Schema.string("Only agents of this project (name or display name)"),
                    "cursor": Schema.string("next_cursor from the previous page"),
                    "limit": Schema.integer("Agents per page", minimum: 1, maximum: 500, defaultValue: 50),
                ],
                output: Schema.object([
                    "agents": Schema.array(OutputSchemas.agentSummary, "Agents, by name"),
                    "total_count": Schema.integer("Agents matching the filters, across pages"),
                    "next_cursor": Schema.string("Pass as cursor for the next page; absent on the last page"),
                    "counts": Schema.map(Schema.integer("Agents"), "Agents per status (project filter applied, status filter not)"),
                ], required: ["agents", "total_count", "counts"]),
                annotations: .init(readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false)
            ) { arguments, _ in
                try structured(try await fleet.listAgents(status: try arguments.string("status_filter"), project: try arguments.string("project_filter"),
                                                          cursor: try arguments.string("cursor"), limit: try arguments.int("limit")))
            },
            FleetTool(
                name: "show_agent", title: "Show agent",
                description: "Show one agent in detail: status and why, the task prompt, the build, the workspace agent's health, app URLs, the latest report and the pull request.",
                input: ["agent_name": agentName], required: ["agent_name"],
                output: Schema.object([
                    "agent": OutputSchemas.agentSummary,
                    "task_prompt": Schema.string("The prompt the agent was created with"),
                    "build": Schema.object([
                        "id": Schema.string("Build id"), "number": Schema.integer("Build number"), "transition": Schema.string("start, stop or delete"),
                        "status": Schema.string("Workspace status"), "job_status": Schema.string("Provisioner job status"),
                        "job_error": Schema.string("Build error"), "reason": Schema.string("Why the build ran"),
                        "created_at": Schema.time, "completed_at": Schema.time,
                    ], required: ["id", "number", "transition", "status", "job_status", "reason", "created_at"]),
                    "workspace_agent": Schema.object([
                        "name": Schema.string("Agent name in the template"), "status": Schema.string("connecting, connected, disconnected, timeout"),
                        "lifecycle": Schema.string("created, starting, ready, …"), "healthy": Schema.boolean("Coder's health verdict"),
                        "health_reason": Schema.string("Why unhealthy"), "version": Schema.string("Agent version"),
                    ], required: ["name", "status", "lifecycle", "healthy", "version"]),
                    "apps": Schema.array(Schema.object([
                        "slug": Schema.string("App slug"), "display_name": Schema.string("App name"), "url": Schema.string("App URL through Coder"),
                        "health": Schema.string("App health"), "is_agent_api": Schema.boolean("The AgentAPI (Claude Code) app"),
                    ], required: ["slug", "display_name", "url", "health", "is_agent_api"]), "Workspace apps"),
                    "pull_request": OutputSchemas.pullRequest,
                    "latest_report": OutputSchemas.historyEntry,
                    "template_version_id": Schema.string("Template version of the build"),
                    "outdated": Schema.boolean("A newer template version is active"),
                    "tasks_api": Schema.string("How fleet-mcp reaches the agent: stable, experimental, or none (AgentAPI)"),
                ], required: ["agent", "build", "apps", "template_version_id", "outdated", "tasks_api"]),
                annotations: .init(readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false)
            ) { arguments, _ in
                try structured(try await fleet.showAgent(try arguments.requiredString("agent_name")))
            },
            FleetTool(
                name: "restart_agent", title: "Restart agent",
                description: "Restart an agent's workspace (stop, then start) to refresh its environment or revive a stopped or failed agent. Its current work is lost.",
                input: ["agent_name": agentName], required: ["agent_name"],
                output: OutputSchemas.action,
                annotations: .init(readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false)
            ) { arguments, context in
                try structured(try await fleet.restartAgent(try arguments.requiredString("agent_name")) { elapsed, message in
                    await context.progress(elapsed, total: 45, message)
                })
            },
            FleetTool(
                name: "delete_agent", title: "Delete agent",
                description: "Delete an agent and destroy its workspace, even while Claude Code works (not while a build runs: wait_for_agent first). Returns at once with the delete build. Only fleet agents can be deleted.",
                input: ["agent_name": agentName], required: ["agent_name"],
                output: OutputSchemas.action,
                annotations: .init(readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false)
            ) { arguments, _ in
                try structured(try await fleet.deleteAgent(try arguments.requiredString("agent_name")))
            },
        ]
    }
}
