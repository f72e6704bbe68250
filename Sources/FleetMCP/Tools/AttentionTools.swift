import Fleet
import MCP

/// Fleet attention: waiting on many agents at once.
enum AttentionTools {
    static let agentNames = Parameter.string("agent_names", .string("Only these agents, comma-separated (default: the whole fleet)"))
    static let project = AgentTools.List.project
    static let until = Parameter.string(
        "until", .string("attention (default: needs_input, complete, failed, idle, paused), change (any status), or statuses, comma-separated"))
    static let since = Parameter.string(
        "since", .string("cursor from the previous wait_for_fleet: report everything after it (returns at once if something happened)"))
    static let timeout = TaskTools.Wait.timeout

    static let all: [FleetTool] = [
        FleetTool(
            name: "wait_for_fleet", title: "Wait for fleet",
            description: "Wait until any watched agent (default: the whole fleet) needs attention: it asks a question (needs_input), "
                + "completes, fails, goes idle or is paused. Returns the changes with the report behind each and a cursor; pass the cursor "
                + "as since next time and nothing in between is missed. At most 45 s per call, with progress notifications; one Coder "
                + "request per poll whatever the fleet's size.",
            parameters: [agentNames, project, until, since, timeout], output: FleetWaitResult.self, annotations: FleetTool.reads, waits: true
        ) { fleet, arguments, context in
            let names = try arguments[agentNames].map { text in
                text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            }
            return try await fleet.waitForFleet(
                agentNames: names?.isEmpty == true ? nil : names, project: try arguments[project], until: try arguments[until],
                since: try arguments[since], timeout: try arguments[timeout]
            ) { elapsed, total, message in
                await context.progress(elapsed, total: total, message)
            }
        }
    ]
}
