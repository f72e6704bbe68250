import CoderAPI
import Foundation

/// The routes both tasks APIs share, under their own prefix. 2.26–2.27 address a task by its workspace id;
/// 2.28+ by the task id the workspace links (2.30+) or by the task's name, which is the workspace's name.
struct TasksRoutes: Sendable {
    let coder: CoderClient
    let generation: TasksAPIGeneration
    /// Whether tasks have their own ids and names (Coder 2.28+).
    let ownIDs: Bool

    func taskID(_ agent: AgentRef) -> String {
        if let id = agent.workspace.taskID { return id }
        return ownIDs ? agent.workspace.name : agent.workspace.id
    }

    /// 2.28+: only a task is a task, and Coder names its workspace after it. Before: a workspace with `AI Prompt`.
    func create(_ request: AgentCreation) async throws -> WorkspaceView {
        guard ownIDs else { return try await AgentAPIChannel(coder: coder).create(request) }
        let created = try await coder.createTask(
            generation,
            CreateTaskRequest(
                templateVersionID: request.template.activeVersionID, templateVersionPresetID: request.presetID,
                input: request.prompt, name: request.workspaceName))
        return try await coder.workspace(owner: created.ownerName, name: created.workspaceName ?? request.workspaceName, as: WorkspaceView.self)
    }

    func send(_ text: String, to agent: AgentRef) async throws {
        try await coder.sendTaskInput(generation, owner: agent.workspace.ownerName, id: taskID(agent), input: text)
    }

    func conversation(of agent: AgentRef) async throws -> Conversation {
        let answer = try await coder.taskLogs(generation, owner: agent.workspace.ownerName, id: taskID(agent))
        return Conversation(
            entries: answer.logs.map { LogEntry(id: $0.id, type: $0.type.rawValue, content: $0.content, time: $0.time) }, source: "tasks_api",
            isSnapshot: answer.snapshot ?? false, snapshotAt: answer.snapshotAt)
    }

    func initialPrompt(of agent: AgentRef) async throws -> String? {
        try await coder.task(generation, owner: agent.workspace.ownerName, id: taskID(agent)).initialPrompt
    }
}

/// `/api/experimental/tasks` (Coder 2.26–2.28).
public struct ExperimentalTasksChannel: AgentChannel {
    let routes: TasksRoutes

    public init(coder: CoderClient, tasksHaveOwnIDs: Bool) {
        routes = TasksRoutes(coder: coder, generation: .experimental, ownIDs: tasksHaveOwnIDs)
    }

    public var generation: TasksAPIGeneration { .experimental }
    public var coderClient: CoderClient { routes.coder }
    public func create(_ request: AgentCreation) async throws -> WorkspaceView { try await routes.create(request) }
    public func send(_ text: String, to agent: AgentRef) async throws { try await routes.send(text, to: agent) }
    public func conversation(of agent: AgentRef) async throws -> Conversation { try await routes.conversation(of: agent) }
    public func initialPrompt(of agent: AgentRef) async throws -> String? { try await routes.initialPrompt(of: agent) }
}

/// `/api/v2/tasks` (Coder 2.29–2.36; tasks always have their own ids; pause and resume from 2.31).
public struct StableTasksChannel: AgentChannel {
    let routes: TasksRoutes
    /// Whether the deployment has the pause and resume routes (2.31+; nil: unknown, try them).
    let canPause: Bool?

    public init(coder: CoderClient, canPause: Bool? = nil) {
        routes = TasksRoutes(coder: coder, generation: .stable, ownIDs: true)
        self.canPause = canPause
    }

    public var generation: TasksAPIGeneration { .stable }
    public var coderClient: CoderClient { routes.coder }

    /// The pause route where the deployment has it; before 2.31 (or where it is missing) a stop build.
    public func pause(_ agent: AgentRef) async throws -> LifecycleChange {
        guard canPause != false else { return try await WorkspaceBuilds(coder: routes.coder).pause(agent) }
        do {
            let answer = try await routes.coder.pauseTask(owner: agent.workspace.ownerName, id: routes.taskID(agent))
            return LifecycleChange(build: answer.workspaceBuild, viaTasksAPI: true)
        } catch let error as CoderAPIError where error.isRouteMissing {
            return try await WorkspaceBuilds(coder: routes.coder).pause(agent)
        }
    }

    /// The resume route where the deployment has it; before 2.31 (or where it is missing) a start build.
    public func resume(_ agent: AgentRef) async throws -> LifecycleChange {
        guard canPause != false else { return try await WorkspaceBuilds(coder: routes.coder).resume(agent) }
        do {
            let answer = try await routes.coder.resumeTask(owner: agent.workspace.ownerName, id: routes.taskID(agent))
            return LifecycleChange(build: answer.workspaceBuild, viaTasksAPI: true)
        } catch let error as CoderAPIError where error.isRouteMissing {
            return try await WorkspaceBuilds(coder: routes.coder).resume(agent)
        }
    }
    public func create(_ request: AgentCreation) async throws -> WorkspaceView { try await routes.create(request) }
    public func send(_ text: String, to agent: AgentRef) async throws { try await routes.send(text, to: agent) }
    public func conversation(of agent: AgentRef) async throws -> Conversation { try await routes.conversation(of: agent) }
    public func initialPrompt(of agent: AgentRef) async throws -> String? { try await routes.initialPrompt(of: agent) }
}
