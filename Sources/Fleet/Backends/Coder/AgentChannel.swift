import CoderAPI
import Foundation

/// How fleet-mcp talks to a running agent on one kind of deployment: the experimental tasks API (2.26–2.28), the
/// stable tasks API (2.29–2.36), or AgentAPI through Coder's app proxy (2.37+, and agents without a task record).
///
/// `DeploymentDetector` hands out the channel; `CoderWorkspaceBackend.onChannel` demotes it when a tasks route is gone.
public protocol AgentChannel: Sendable {
    /// The tasks API generation this channel uses (`none` for AgentAPI).
    var generation: TasksAPIGeneration { get }
    /// The client the channel talks through.
    var coderClient: CoderClient { get }
    /// Creates the agent's workspace with its first task and returns the workspace.
    func create(_ request: AgentCreation) async throws -> WorkspaceView
    /// Delivers input to a waiting agent.
    func send(_ text: String, to agent: AgentRef) async throws
    /// The agent's conversation.
    func conversation(of agent: AgentRef) async throws -> Conversation
    /// The prompt the agent was created with, if this channel knows it.
    func initialPrompt(of agent: AgentRef) async throws -> String?
    /// Pauses the agent: the tasks API's pause (2.31+), else a stop build.
    func pause(_ agent: AgentRef) async throws -> LifecycleChange
    /// Resumes a paused or stopped agent: the tasks API's resume (2.31+), else a start build.
    func resume(_ agent: AgentRef) async throws -> LifecycleChange
}

/// Pausing where the deployment has no pause route: a stop build (marked as a manual pause where Coder accepts
/// that reason), and resuming is a start build. The conversation survives only if the template keeps it.
extension AgentChannel {
    public func pause(_ agent: AgentRef) async throws -> LifecycleChange {
        try await WorkspaceBuilds(coder: coderClient).pause(agent)
    }

    public func resume(_ agent: AgentRef) async throws -> LifecycleChange {
        try await WorkspaceBuilds(coder: coderClient).resume(agent)
    }
}

/// Stop and start builds for pause and resume.
struct WorkspaceBuilds: Sendable {
    let coder: CoderClient

    func pause(_ agent: AgentRef) async throws -> LifecycleChange {
        let id = agent.workspace.id
        do {
            let build = try await coder.createBuild(workspaceID: id, CreateWorkspaceBuildRequest(transition: .stop, reason: "task_manual_pause"))
            return LifecycleChange(build: build, viaTasksAPI: false)
        } catch let error as CoderAPIError where error.status == 400 && !error.validations.isEmpty {
            // An older Coder rejects the reason: nothing was written, so a plain stop is safe.
            return LifecycleChange(
                build: try await coder.createBuild(workspaceID: id, CreateWorkspaceBuildRequest(transition: .stop)), viaTasksAPI: false)
        }
    }

    func resume(_ agent: AgentRef) async throws -> LifecycleChange {
        LifecycleChange(
            build: try await coder.createBuild(workspaceID: agent.workspace.id, CreateWorkspaceBuildRequest(transition: .start)), viaTasksAPI: false)
    }
}
