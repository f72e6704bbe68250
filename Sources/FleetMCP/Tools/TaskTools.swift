import Fleet
import MCP

/// Tasks: give work, interrupt it, wait for it, read its history and conversation.
enum TaskTools {
    static let page = JSONSchema.integer("Page number (1-indexed)", minimum: 1, defaultValue: 1)

    static func pageSize(default size: Int) -> JSONSchema {
        .integer("Items per page (max 100)", minimum: 1, maximum: 100, defaultValue: size)
    }

    static let all: [FleetTool] = [
        FleetTool(
            name: "start_agent_task", title: "Start agent task",
            description: "Give an idle agent (idle, complete or needs_input) a new task, or answer its question. A paused agent is "
                + "resumed first (waits up to 45 s, with progress, until it takes input; delivered=false if it was not ready). Refuses busy, "
                + "starting and stopped agents with what to do instead.",
            input: [
                "agent_name": AgentTools.agentName,
                "task_description": .string("Task description defining objectives and constraints", minLength: 1),
            ],
            required: ["agent_name", "task_description"], output: ActionResult.self,
            annotations: .init(readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true), waits: true
        ) { fleet, arguments, context in
            try await fleet.startTask(agent: try arguments.requiredString("agent_name"), task: try arguments.requiredString("task_description")) {
                elapsed, message in
                await context.progress(elapsed, total: 45, message)
            }
        },
        FleetTool(
            name: "cancel_agent_task", title: "Cancel agent task",
            description: "Interrupt a busy agent's current turn (ESC to Claude Code through AgentAPI) without stopping its workspace. "
                + "The agent then reports idle.",
            input: ["agent_name": AgentTools.agentName], required: ["agent_name"], output: ActionResult.self,
            annotations: .init(readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false)
        ) { fleet, arguments, _ in
            try await fleet.cancelTask(agent: try arguments.requiredString("agent_name"))
        },
        FleetTool(
            name: "show_agent_task_history", title: "Show agent task history",
            description: "Show the status reports an agent made with coder_report_task, newest first, paged.",
            input: ["agent_name": AgentTools.agentName, "page": page, "page_size": pageSize(default: 20)],
            required: ["agent_name"], output: Page<HistoryEntry>.self, annotations: FleetTool.reads
        ) { fleet, arguments, _ in
            try await fleet.taskHistory(
                agent: try arguments.requiredString("agent_name"), page: try arguments.int("page") ?? 1,
                pageSize: try arguments.int("page_size") ?? 20)
        },
        FleetTool(
            name: "show_agent_log", title: "Show agent log",
            description: "Show an agent's conversation (what it was told and what it answered), newest first, paged. Default page size "
                + "is 1: the latest turn.",
            input: ["agent_name": AgentTools.agentName, "page": page, "page_size": pageSize(default: 1)],
            required: ["agent_name"], output: AgentLog.self, annotations: FleetTool.reads
        ) { fleet, arguments, _ in
            try await fleet.log(
                agent: try arguments.requiredString("agent_name"), page: try arguments.int("page") ?? 1,
                pageSize: try arguments.int("page_size") ?? 1)
        },
        FleetTool(
            name: "wait_for_agent", title: "Wait for agent",
            description: "Wait until an agent's status changes (default), settles (until=settled: idle, complete, needs_input, failed, "
                + "stopped, paused), or reaches a given status; at most 45 s per call, with progress notifications. Returns the status and the "
                + "reports that arrived.",
            input: [
                "agent_name": AgentTools.agentName,
                "until": .string("change (default), settled, or a status name such as idle or needs_input"),
                "timeout_seconds": .number("Longest wait in seconds (max 45)", minimum: 0.1, maximum: 45),
            ],
            required: ["agent_name"], output: WaitResult.self, annotations: FleetTool.reads, waits: true
        ) { fleet, arguments, context in
            let timeout = try arguments.seconds("timeout_seconds", within: 0.1...45)
            return try await fleet.waitForAgent(try arguments.requiredString("agent_name"), until: try arguments.string("until"), timeout: timeout) {
                elapsed, total, message in
                await context.progress(elapsed, total: total, message)
            }
        },
    ]
}
