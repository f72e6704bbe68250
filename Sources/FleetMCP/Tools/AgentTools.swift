import Fleet
import MCP

/// Agents: create, list, inspect, restart, delete.
enum AgentTools {
    static let agentName = Parameter.requiredString(
        "agent_name", .string("Agent name (case-insensitive; the workspace prefix is optional)", minLength: 1, maxLength: 64))

    enum Create {
        static let name = Parameter.requiredString(
            "name", .string("Unique short agent name (e.g., Sony, Papi): letters, digits and single hyphens", minLength: 1, maxLength: 32))
        static let project = Parameter.requiredString(
            "project", .string("Project name (e.g., Setup, DataOne); see list_agent_projects", minLength: 1))
        static let task = Parameter.requiredString("task", .string("Task description defining objectives and constraints", minLength: 1))
        static let role = Parameter.string(
            "role",
            .string(
                "Agent role matching a Coder workspace preset (e.g., coder, operator); see list_agent_roles. Omit for the project's default role."
            ))
    }

    enum List {
        static let status = Parameter.string(
            "status_filter", .string("Only agents with this status: \(AgentStatus.filterVocabulary.joined(separator: ", "))"))
        static let project = Parameter.string("project_filter", .string("Only agents of this project (name or display name)"))
        static let cursor = Parameter.string("cursor", .string("next_cursor from the previous page"))
        static let limit = Parameter.int("limit", .integer("Agents per page", minimum: 1, maximum: 500, defaultValue: 50))
    }

    static let all: [FleetTool] = [
        FleetTool(
            name: "create_agent", title: "Create agent",
            description: "Create a Claude Code agent in its own Coder workspace and give it its first task. Returns at once with the agent "
                + "pending or starting; follow it with wait_for_agent.",
            parameters: [Create.name, Create.project, Create.task, Create.role], output: ActionResult.self,
            annotations: .init(readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true)
        ) { fleet, arguments, _ in
            try await fleet.createAgent(
                name: try arguments[Create.name], project: try arguments[Create.project], task: try arguments[Create.task],
                role: try arguments[Create.role])
        },
        FleetTool(
            name: "list_agents", title: "List agents",
            description: "List the fleet's agents with status, project, role, last reported task, pull request and last event time. "
                + "Paged with next_cursor.",
            parameters: [List.status, List.project, List.cursor, List.limit], output: AgentList.self, annotations: FleetTool.reads
        ) { fleet, arguments, _ in
            try await fleet.listAgents(
                status: try arguments[List.status], project: try arguments[List.project], cursor: try arguments[List.cursor],
                limit: try arguments[List.limit])
        },
        FleetTool(
            name: "show_agent", title: "Show agent",
            description: "Show one agent in detail: status and why, the task prompt, the build, the workspace agent's health, app URLs, "
                + "the latest report and the pull request.",
            parameters: [agentName], output: AgentDetail.self, annotations: FleetTool.reads
        ) { fleet, arguments, _ in
            try await fleet.showAgent(try arguments[agentName])
        },
        FleetTool(
            name: "restart_agent", title: "Restart agent",
            description: "Restart an agent's workspace (stop, then start) to refresh its environment or revive a stopped or failed agent. "
                + "Its current work is lost.",
            parameters: [agentName], output: ActionResult.self,
            annotations: .init(readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false), waits: true
        ) { fleet, arguments, context in
            try await fleet.restartAgent(try arguments[agentName]) { elapsed, message in
                await context.progress(elapsed, total: 45, message)
            }
        },
        FleetTool(
            name: "pause_agent", title: "Pause agent",
            description: "Pause a running agent to free its compute; Coder keeps its conversation (2.31+; elsewhere the workspace is "
                + "stopped). resume_agent, or start_agent_task with new work, resumes it. An agent already paused is a success.",
            parameters: [agentName], output: ActionResult.self,
            annotations: .init(readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false)
        ) { fleet, arguments, _ in
            try await fleet.pauseAgent(try arguments[agentName])
        },
        FleetTool(
            name: "resume_agent", title: "Resume agent",
            description: "Resume a paused (or stopped) agent; returns at once with the start build, follow it with wait_for_agent. "
                + "An agent already running is a success.",
            parameters: [agentName], output: ActionResult.self,
            annotations: .init(readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false)
        ) { fleet, arguments, _ in
            try await fleet.resumeAgent(try arguments[agentName])
        },
        FleetTool(
            name: "delete_agent", title: "Delete agent",
            description: "Delete an agent and destroy its workspace, even while Claude Code works (not while a build runs: wait_for_agent "
                + "first). Returns at once with the delete build. Only fleet agents can be deleted.",
            parameters: [agentName], output: ActionResult.self,
            annotations: .init(readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false)
        ) { fleet, arguments, _ in
            try await fleet.deleteAgent(try arguments[agentName])
        },
    ]
}
