import Fleet
import MCP

/// Tasks: give work, interrupt it, wait for it, read its history and conversation.
enum TaskTools {
    static func all(_ fleet: FleetService) -> [FleetTool] {
        let agentName = AgentTools.agentName
        let page = Schema.integer("Page number (1-indexed)", minimum: 1, defaultValue: 1)
        return [
            FleetTool(
                name: "start_agent_task", title: "Start agent task",
                description: "Give an idle agent (idle, complete or needs_input) a new task, or answer its question. Refuses busy, starting and stopped agents with what to do instead.",
                input: ["agent_name": agentName, "task_description": Schema.string("Task description defining objectives and constraints", minLength: 1)],
                required: ["agent_name", "task_description"],
                output: OutputSchemas.action,
                annotations: .init(readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true)
            ) { arguments, _ in
                try structured(try await fleet.startTask(agent: try arguments.requiredString("agent_name"), task: try arguments.requiredString("task_description")))
            },
            FleetTool(
                name: "cancel_agent_task", title: "Cancel agent task",
                description: "Interrupt a busy agent's current turn (ESC to Claude Code through AgentAPI) without stopping its workspace. The agent then reports idle.",
                input: ["agent_name": agentName], required: ["agent_name"],
                output: OutputSchemas.action,
                annotations: .init(readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false)
            ) { arguments, _ in
                try structured(try await fleet.cancelTask(agent: try arguments.requiredString("agent_name")))
            },
            FleetTool(
                name: "show_agent_task_history", title: "Show agent task history",
                description: "Show the status reports an agent made with coder_report_task, newest first, paged.",
                input: ["agent_name": agentName, "page": page, "page_size": Schema.integer("Items per page (max 100)", minimum: 1, maximum: 100, defaultValue: 20)],
                required: ["agent_name"],
                output: OutputSchemas.page("tasks", OutputSchemas.historyEntry),
                annotations: .init(readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false)
            ) { arguments, _ in
                try structured(try await fleet.taskHistory(agent: try arguments.requiredString("agent_name"), page: try arguments.int("page") ?? 1,
                                                           pageSize: try arguments.int("page_size") ?? 20), renaming: ["items": "tasks"])
            },
            FleetTool(
                name: "show_agent_log", title: "Show agent log",
                description: "Show an agent's conversation (what it was told and what it answered), newest first, paged. Default page size is 1: the latest turn.",
                input: ["agent_name": agentName, "page": page, "page_size": Schema.integer("Items per page (max 100)", minimum: 1, maximum: 100, defaultValue: 1)],
                required: ["agent_name"],
                output: OutputSchemas.page("logs", OutputSchemas.logEntry, ["source": Schema.string("tasks_api or agentapi", enumeration: ["tasks_api", "agentapi"])]),
                annotations: .init(readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false)
            ) { arguments, _ in
                let (log, source) = try await fleet.log(agent: try arguments.requiredString("agent_name"), page: try arguments.int("page") ?? 1,
                                                        pageSize: try arguments.int("page_size") ?? 1)
                guard case .object(var members) = try structured(log, renaming: ["items": "logs"]) else { return .null }
                members["source"] = .string(source)
                return .object(members)
            },
            FleetTool(
                name: "wait_for_agent", title: "Wait for agent",
                description: "Wait until an agent's status changes (default), settles (until=settled: idle, complete, needs_input, failed, stopped), or reaches a given status; at most 45 s per call, with progress notifications. Returns the status and the reports that arrived.",
                input: [
                    "agent_name": agentName,
                    "until": Schema.string("change (default), settled, or a status name such as idle or needs_input"),
                    "timeout_seconds": Schema.number("Longest wait in seconds (max 45)", minimum: 0.1, maximum: 45),
                ],
                required: ["agent_name"],
                output: Schema.object([
                    "agent": Schema.string("Agent name"), "status": Schema.agentStatus, "previous_status": Schema.agentStatus,
                    "changed": Schema.boolean("The status changed while waiting"), "timed_out": Schema.boolean("The wait ended by timeout"),
                    "waited_seconds": Schema.number("Seconds waited"), "last_task": Schema.string("Newest reported message"),
                    "pull_request": Schema.string("Newest pull-request link"), "new_reports": Schema.array(OutputSchemas.historyEntry, "Reports that arrived while waiting, oldest first"),
                    "status_reason": Schema.string("Why the agent has this status"),
                ], required: ["agent", "status", "previous_status", "changed", "timed_out", "waited_seconds", "new_reports"]),
                annotations: .init(readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false)
            ) { arguments, context in
                let timeout = try arguments.number("timeout_seconds").map { Duration.milliseconds(Int64(max(0, $0) * 1000)) }
                if let timeout, timeout <= .zero { throw FleetError(.invalidArgument, "wait_for_agent: timeout_seconds must be positive.") }
                return try structured(try await fleet.waitForAgent(try arguments.requiredString("agent_name"), until: try arguments.string("until"), timeout: timeout) { elapsed, total, message in
                    await context.progress(elapsed, total: total, message)
                })
            },
        ]
    }
}
