import CoderAPI
import Foundation

/// Talking to agents: new tasks, interrupts, the history of their reports and their conversation.
extension FleetService {
    /// Sends a new task to an agent that is waiting for one. The input is sent once: never retried.
    /// A paused agent is resumed first (`resumeAndSend`).
    public func startTask(
        agent input: String, task: String, progress: @escaping @Sendable (Double, String) async -> Void = { _, _ in }
    ) async throws -> ActionResult {
        let text = task.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else {
            throw FleetError(.invalidArgument, "task_description is empty. Describe what the agent should do.")
        }
        let agent = try await resolveAgent(input)
        let status = await currentStatus(agent)
        if status.status == .paused { return try await resumeAndSend(text, to: agent, progress: progress) }
        try refuseUnlessReady(agent.name, status)
        // currentStatus asked the agent whether it works: the backend need not ask again before sending.
        try await sendInput(text, to: agent, knownIdle: true)
        return ActionResult(
            agent: agent.name, status: .busy, message: "Task sent to agent '\(agent.name)'. Call wait_for_agent to follow it.",
            workspaceID: agent.workspace.id, buildID: agent.workspace.latestBuild.id, task: Echo.cap(text, 500))
    }

    func refuseUnlessReady(_ name: String, _ derived: DerivedStatus) throws {
        switch derived.status {
        case .idle, .complete, .needsInput: return
        case .busy:
            let current = derived.report.map { " with '\(Echo.cap($0.message, 120))'" } ?? (derived.reason.map { " (\($0))" } ?? "")
            throw FleetError(.wrongState, "Agent '\(name)' is busy\(current); wait_for_agent or cancel_agent_task first.")
        case .pending, .starting:
            throw FleetError(
                .wrongState,
                "Agent '\(name)' is still \(derived.status.rawValue)" + (derived.reason.map { " (\($0))" } ?? "")
                    + "; call wait_for_agent until it is idle.")
        case .paused:
            throw FleetError(.wrongState, "Agent '\(name)' is paused; resume_agent resumes it (start_agent_task does too).")
        case .stopped, .stopping, .canceled, .canceling:
            throw FleetError(.wrongState, "Agent '\(name)' is \(derived.status.rawValue); call restart_agent to start it again.")
        case .deleting, .deleted:
            throw FleetError(.wrongState, "Agent '\(name)' is \(derived.status.rawValue); create a new agent with create_agent.")
        case .failed:
            throw FleetError(
                .wrongState,
                "Agent '\(name)' has failed" + (derived.reason.map { " (\($0))" } ?? "")
                    + "; call restart_agent, or delete_agent and create it again.")
        }
    }

    /// Delivers input on the agent's channel.
    func sendInput(_ text: String, to agent: AgentRef, knownIdle: Bool = false) async throws {
        do {
            try await backend.send(text, to: agent, knownIdle: knownIdle)
        } catch let error as TransportError {
            // Never sent again: the answer was lost, not necessarily the input.
            throw FleetError(
                .coder,
                "The connection to Coder failed while sending the task to agent '\(agent.name)' (\(error.reason)); it may or may not have been "
                    + "delivered, so it was not sent again. Call show_agent_log or wait_for_agent to see whether the agent took it before sending it again."
            )
        } catch let error as CoderAPIError where error.status == 409 || error.status == 502 && error.message.contains("not ready") {
            throw FleetError(
                .wrongState, "Agent '\(agent.name)' is not ready for input (Coder: \(error.coderMessage)); wait_for_agent, then try again.")
        } catch {
            throw FleetError.coder(error, doing: "send the task to agent '\(agent.name)'")
        }
    }

    /// Interrupts the current turn with ESC through AgentAPI; the workspace keeps running.
    public func cancelTask(agent input: String) async throws -> ActionResult {
        let agent = try await resolveAgent(input)
        let derived = await currentStatus(agent)
        guard derived.status == .busy else {
            throw FleetError(
                .wrongState,
                "Agent '\(agent.name)' is \(derived.status.rawValue), not busy; there is no task to cancel."
                    + (derived.status.acceptsTasks ? " Give it a new one with start_agent_task." : ""))
        }
        // The turn being interrupted: the report says it, unless the input is newer than any report.
        var current = derived.report?.message
        if current == nil { current = try? await backend.latestInput(of: agent) }
        do {
            try await backend.interrupt(agent)
        } catch {
            throw FleetError.coder(error, doing: "interrupt agent '\(agent.name)' through AgentAPI")
        }
        return ActionResult(
            agent: agent.name, status: .busy,
            message: "Interrupt (ESC) sent to agent '\(agent.name)'" + (current.map { " while it worked on '\(Echo.cap($0, 120))'" } ?? "")
                + "; it stops its current turn and reports idle. Call wait_for_agent to confirm.",
            workspaceID: agent.workspace.id, buildID: agent.workspace.latestBuild.id, task: current)
    }

    public func taskHistory(agent input: String, page: Int, pageSize: Int) async throws -> Page<HistoryEntry> {
        try PageRequest.validate(page: page, pageSize: pageSize)
        let agent = try await resolveAgent(input)
        return Page(agentName: agent.name, all: AgentApps.reports(in: agent.workspace).map(HistoryEntry.init), page: page, pageSize: pageSize)
    }

    public func log(agent input: String, page: Int, pageSize: Int) async throws -> AgentLog {
        try PageRequest.validate(page: page, pageSize: pageSize)
        let agent = try await resolveAgent(input)
        var conversation: Conversation
        var note: String?
        let offline = agent.workspace.latestBuild.status != .running
        do {
            conversation = try await backend.conversation(of: agent)
        } catch let error as CoderAPIError where [400, 404, 409].contains(error.status) || (offline && [502, 503].contains(error.status)) {
            // e.g. 400 "Task is not configured with a sidebar app.", or AgentAPI unreachable while the workspace is down.
            logger.debug("no log for \(agent.name): \(error.coderMessage)")
            conversation = Conversation(entries: [], source: "agentapi")
            note =
                offline
                ? "Agent '\(agent.name)' is \(StatusModel.derive(agent.workspace).status.rawValue) and this deployment keeps no snapshot of its conversation."
                : "No conversation is available (Coder: \(error.coderMessage))."
        } catch let error as FleetError where error.kind == .unavailable {
            conversation = Conversation(entries: [], source: "agentapi")
            note = error.message
        } catch {
            throw FleetError.coder(error, doing: "read the conversation of agent '\(agent.name)'")
        }
        var entries = conversation.entries
        entries.sort { $0.time == $1.time ? $0.id > $1.id : $0.time > $1.time }
        var result = Page(agentName: agent.name, all: entries, page: page, pageSize: pageSize)
        // Terminal screens can be long; keep a page well inside MCP clients' output limits.
        for index in result.items.indices where result.items[index].content.count > Self.maxLogEntryCharacters {
            let content = result.items[index].content
            result.items[index].content =
                String(content.prefix(Self.maxLogEntryCharacters)) + "\n… [\(content.count - Self.maxLogEntryCharacters) more characters truncated]"
        }
        if conversation.isSnapshot {
            note =
                "Agent '\(agent.name)' is not running: this is the conversation as Coder stored it"
                + (conversation.snapshotAt.map { " at " + CoderDate.format($0) } ?? "") + ", not a live one."
        }
        return AgentLog(page: result, source: conversation.source, snapshot: conversation.isSnapshot, snapshotAt: conversation.snapshotAt, note: note)
    }

    /// The longest log entry `show_agent_log` returns in full.
    public static let maxLogEntryCharacters = 4000
}

/// The rules of a page request (1-indexed pages, at most 100 items a page).
public enum PageRequest {
    /// Larger page numbers are refused rather than answered with an empty page (and would not survive JSON's
    /// 53-bit integers on the way back).
    public static let maxPage = 1_000_000

    public static func validate(page: Int, pageSize: Int) throws {
        guard page >= 1 else { throw FleetError(.invalidArgument, "page must be 1 or more (pages are 1-indexed); got \(page).") }
        guard (1...100).contains(pageSize) else { throw FleetError(.invalidArgument, "page_size must be between 1 and 100; got \(pageSize).") }
        guard page <= maxPage else {
            throw FleetError(.invalidArgument, "page must be at most \(maxPage); got \(page). total_pages in any answer says how many there are.")
        }
    }
}
