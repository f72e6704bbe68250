import CoderAPI
import Foundation

/// Talks to Claude Code's AgentAPI app through Coder's path-based app proxy. The only channel on 2.37+, the
/// fallback for agents without a task record, and on every deployment the way to interrupt a turn or ask
/// whether one is running (the tasks API has no route for either).
public struct AgentAPIChannel: AgentChannel {
    let coder: CoderClient

    public init(coder: CoderClient) { self.coder = coder }

    public var generation: TasksAPIGeneration { .none }
    public var coderClient: CoderClient { coder }

    /// Creates the workspace with the prompt as its `AI Prompt` parameter (the claude-code module starts on it).
    public func create(_ request: AgentCreation) async throws -> WorkspaceView {
        try await coder.createWorkspace(
            organization: request.template.organizationID,
            CreateWorkspaceRequest(
                name: request.workspaceName, templateID: request.template.id, templateVersionPresetID: request.presetID,
                richParameterValues: [WorkspaceBuildParameter(name: request.promptParameter, value: request.prompt)]),
            as: WorkspaceView.self)
    }

    public func send(_ text: String, to agent: AgentRef) async throws {
        let app = try Self.app(of: agent)
        if try await coder.agentAPIStatus(app).status == .running {
            throw FleetError(.wrongState, "Agent '\(agent.name)' is busy (AgentAPI reports running); wait_for_agent or cancel_agent_task first.")
        }
        try await coder.agentAPISend(app, content: text, type: .user)
    }

    /// Sends without asking `/status` first: the caller asked it in this tool call already.
    func deliver(_ text: String, to agent: AgentRef) async throws {
        try await coder.agentAPISend(try Self.app(of: agent), content: text, type: .user)
    }

    public func conversation(of agent: AgentRef) async throws -> Conversation {
        let app = try Self.app(of: agent)
        let messages = try await coder.agentAPIMessages(app).messages
        return Conversation(
            entries: messages.map { LogEntry(id: $0.id, type: $0.role == .user ? "input" : "output", content: $0.content, time: $0.time) },
            source: "agentapi")
    }

    /// AgentAPI does not keep the prompt apart from the conversation: the build's `AI Prompt` parameter says it.
    public func initialPrompt(of agent: AgentRef) async throws -> String? { nil }

    /// Whether Claude Code is mid-turn right now (AgentAPI `running`).
    public func isWorking(_ agent: AgentRef) async throws -> Bool {
        try await coder.agentAPIStatus(try Self.app(of: agent)).status == .running
    }

    /// The newest input the agent was given, from the conversation.
    public func latestInput(of agent: AgentRef) async throws -> String? {
        try await coder.agentAPIMessages(try Self.app(of: agent)).messages.last { $0.role == .user }?.content
    }

    /// Sends ESC, which ends Claude Code's current turn; the workspace keeps running.
    public func interrupt(_ agent: AgentRef) async throws {
        try await coder.agentAPISend(try Self.app(of: agent), content: "\u{1b}", type: .raw)
    }

    /// The AgentAPI app's proxied address, or a clear error when the template has none.
    public static func app(of agent: AgentRef) throws -> AppAddress {
        let workspace = agent.workspace
        guard let app = AgentApps.sidebarApp(in: workspace) else {
            throw FleetError(
                .unavailable,
                "Agent '\(agent.name)' has no AgentAPI app (slug \(AgentApps.knownSlugs.joined(separator: "/"))); "
                    + "its template must include Coder's claude-code module.")
        }
        return AppAddress(owner: workspace.ownerName, workspace: workspace.name, agent: AgentApps.agent(of: app, in: workspace)?.name, slug: app.slug)
    }
}
