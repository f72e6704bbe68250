import CoderAPI
import Foundation

/// Everything the fleet asks of "a place where agents run": create one, give it input, interrupt it, read its
/// conversation, pause and resume it. `FleetService` keeps validation, paging and messages and reaches agents only
/// through this seam; how an agent is reached on a deployment (which API, which fallback) is the backend's
/// business. Today's backend is `CoderWorkspaceBackend` (Claude Code in Coder workspaces, `Backends/Coder/`).
///
/// Adding a backend: a folder `Backends/<Name>/` with a type conforming to this protocol (its client in CoderAPI,
/// its routes in the sandbox), and the line in `FleetService.init` that picks it.
public protocol AgentBackend: Sendable {
    /// How this backend reaches agents right now, for `show_agent`'s `tasks_api` (`experimental`, `stable`, `none`).
    func route() async -> String
    /// Creates the agent with its first task and returns its workspace.
    func create(_ request: AgentCreation) async throws -> WorkspaceView
    /// Delivers input to a waiting agent. `knownIdle`: this call already asked the agent whether it works (see
    /// `isWorking`), so the backend need not ask again.
    func send(_ text: String, to agent: AgentRef, knownIdle: Bool) async throws
    /// Ends the agent's current turn; the agent keeps running.
    func interrupt(_ agent: AgentRef) async throws
    /// Whether the agent is mid-turn right now (reports lag input).
    func isWorking(_ agent: AgentRef) async throws -> Bool
    /// The newest input the agent was given.
    func latestInput(of agent: AgentRef) async throws -> String?
    /// The agent's conversation (live, or the stored snapshot of a paused agent).
    func conversation(of agent: AgentRef) async throws -> Conversation
    /// The prompt the agent was created with, if the backend keeps it apart.
    func initialPrompt(of agent: AgentRef) async throws -> String?
    /// Pauses the agent.
    func pause(_ agent: AgentRef) async throws -> LifecycleChange
    /// Resumes a paused or stopped agent.
    func resume(_ agent: AgentRef) async throws -> LifecycleChange
}

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

/// The conversation of an agent, and where it came from.
public struct Conversation: Sendable {
    public var entries: [LogEntry]
    /// `tasks_api` or `agentapi`.
    public var source: String
    /// The stored snapshot of a paused agent's conversation, not the live one.
    public var isSnapshot = false
    /// When the snapshot was taken.
    public var snapshotAt: Date?
}

/// The build a pause or resume queued, and how.
public struct LifecycleChange: Sendable {
    public var build: WorkspaceBuild
    /// Through the tasks API's pause/resume routes (2.31+); otherwise a plain stop or start build.
    public var viaTasksAPI: Bool
}
