import Fleet
import MCP

/// Tasks: give work, interrupt it, wait for it, read its history and conversation.
enum TaskTools {
    static let agentName = AgentTools.agentName
    static let page = Parameter.int("page", .integer("Page number (1-indexed)", minimum: 1, defaultValue: 1))

    static func pageSize(default size: Int) -> Parameter<Int?> {
        .int("page_size", .integer("Items per page (max 100)", minimum: 1, maximum: 100, defaultValue: size))
    }

    static let taskDescription = Parameter.requiredString(
        "task_description", .string("Task description defining objectives and constraints", minLength: 1))
    static let historyPageSize = pageSize(default: 20)
    static let logPageSize = pageSize(default: 1)

    enum Wait {
        static let until = Parameter.string("until", .string("change (default), settled, or a status name such as idle or needs_input"))
        static let timeout = Parameter.seconds(
            "timeout_seconds", .number("Longest wait in seconds (max 45)", minimum: 0.1, maximum: 45), within: 0.1...45)
    }

    static let all: [FleetTool] = [
        FleetTool(
            name: "start_agent_task", title: "Start agent task",
            description: "Give an idle agent (idle, complete or needs_input) a new task, or answer its question. A paused agent is "
                + "resumed first (waits up to 45 s, with progress, until it takes input; delivered=false if it was not ready). Refuses busy, "
                + "starting and stopped agents with what to do instead.",
            parameters: [agentName, taskDescription], output: ActionResult.self,
            annotations: .init(readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true), waits: true
        ) { fleet, arguments, context in
            try await fleet.startTask(agent: try arguments[agentName], task: try arguments[taskDescription]) {
                elapsed, message in
                await context.progress(elapsed, total: 45, message)
            }
        },
        FleetTool(
            name: "cancel_agent_task", title: "Cancel agent task",
            description: "Interrupt a busy agent's current turn (ESC to Claude Code through AgentAPI) without stopping its workspace. "
                + "The agent then reports idle.",
            parameters: [agentName], output: ActionResult.self,
            annotations: .init(readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false)
        ) { fleet, arguments, _ in
            try await fleet.cancelTask(agent: try arguments[agentName])
        },
        FleetTool(
            name: "show_agent_task_history", title: "Show agent task history",
            description: "Show the status reports an agent made with coder_report_task, newest first, paged.",
            parameters: [agentName, page, historyPageSize], output: Page<HistoryEntry>.self, annotations: FleetTool.reads
        ) { fleet, arguments, _ in
            try await fleet.taskHistory(
                agent: try arguments[agentName], page: try arguments[page] ?? 1, pageSize: try arguments[historyPageSize] ?? 20)
        },
        FleetTool(
            name: "show_agent_log", title: "Show agent log",
            description: "Show an agent's conversation (what it was told and what it answered), newest first, paged. Default page size "
                + "is 1: the latest turn.",
            parameters: [agentName, page, logPageSize], output: AgentLog.self, annotations: FleetTool.reads
        ) { fleet, arguments, _ in
            try await fleet.log(
                agent: try arguments[agentName], page: try arguments[page] ?? 1, pageSize: try arguments[logPageSize] ?? 1)
        },
        FleetTool(
            name: "wait_for_agent", title: "Wait for agent",
            description: "Wait until an agent's status changes (default), settles (until=settled: idle, complete, needs_input, failed, "
                + "stopped, paused), or reaches a given status; at most 45 s per call, with progress notifications. Returns the status and the "
                + "reports that arrived.",
            parameters: [agentName, Wait.until, Wait.timeout], output: WaitResult.self, annotations: FleetTool.reads, waits: true
        ) { fleet, arguments, context in
            let timeout = try arguments[Wait.timeout]
            return try await fleet.waitForAgent(try arguments[agentName], until: try arguments[Wait.until], timeout: timeout) {
                elapsed, total, message in
                await context.progress(elapsed, total: total, message)
            }
        },
    ]
}
