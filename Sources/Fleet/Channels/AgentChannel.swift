import CoderAPI
import Foundation

/// One agent as a channel addresses it: its workspace, its fleet name, and its task id where tasks have ids.
public struct AgentRef: Sendable {
    public var workspace: WorkspaceView
    /// The agent's fleet name (without the workspace prefix), for messages.
    public var name: String

    public init(workspace: WorkspaceView, name: String) {
        self.workspace = workspace
        self.name = name
    }
}

/// What creating an agent needs, whatever the channel.
public struct AgentCreation: Sendable {
    public var workspaceName: String
    public var template: Template
    public var presetID: String?
    /// The rich parameter that carries the prompt (`AI Prompt`), as the template spells it.
    public var promptParameter: String
    public var prompt: String
}

/// The conversation of an agent, newest first, and where it came from.
public struct Conversation: Sendable {
    public var entries: [LogEntry]
    /// `tasks_api` or `agentapi`.
    public var source: String
}

/// How fleet-mcp talks to a running agent on one kind of deployment: the experimental tasks API (2.26–2.28), the
/// stable tasks API (2.29–2.36), or AgentAPI through Coder's app proxy (2.37+, and agents without a task record).
///
/// `DeploymentDetector` hands out the channel; `FleetService.onChannel` demotes it when a tasks route is gone.
public protocol AgentChannel: Sendable {
    /// The tasks API generation this channel uses (`none` for AgentAPI).
    var generation: TasksAPIGeneration { get }
    /// Creates the agent's workspace with its first task and returns the workspace.
    func create(_ request: AgentCreation) async throws -> WorkspaceView
    /// Delivers input to a waiting agent.
    func send(_ text: String, to agent: AgentRef) async throws
    /// The agent's conversation.
    func conversation(of agent: AgentRef) async throws -> Conversation
    /// The prompt the agent was created with, if this channel knows it.
    func initialPrompt(of agent: AgentRef) async throws -> String?
}
