import CoderAPI
import Foundation
import Hummingbird

/// The tasks API: `/api/experimental/tasks` (2.27 and 2.35) and `/api/v2/tasks` (2.35); absent on 2.37.
extension SandboxResponder {
    func tasks(_ r: SandboxRequest, user: User) async throws -> Response {
        let experimental = r.segments[1] == "experimental"
        guard r.segments.count >= 3, r.segments[2] == "tasks",
              experimental ? version.hasExperimentalTasks : version.hasStableTasks else { throw SandboxError.routeNotFound }
        let base = experimental ? "api/experimental/tasks" : "api/v2/tasks"
        if r.match(.get, base) != nil {
            let query = try SearchQuery.parse(r.query["q"] ?? "", allowed: ["owner", "organization", "status"], defaultKey: "owner",
                                              invalidMessage: "Invalid task search query.")
            var owner: User?
            if let name = query.first("owner") { owner = try await store.requireUser(name, caller: user) }
            var list: [CoderTask] = []
            if version.tasksAreWorkspaces {
                for workspace in await store.liveWorkspaces() where owner == nil || workspace.ownerID == owner?.id {
                    if await store.template(named: workspace.templateName)?.aiTask == true { list.append(await store.renderLegacyTask(workspace)) }
                }
            } else {
                for task in await store.tasks.values.sorted(by: { $0.createdAt > $1.createdAt }) where !task.deleted && (owner == nil || task.ownerID == owner?.id) {
                    list.append(await store.render(task: task))
                }
            }
            if let status = query.first("status") { list = list.filter { $0.status.rawValue == status } }
            return try Reply.json(TasksResponse(tasks: list, count: list.count))
        }
        if let m = r.match(.post, base + "/*") {
            let owner = try await store.requireUser(m[0], caller: user)
            let request = try r.decode(CreateTaskRequest.self)
            if version.tasksAreWorkspaces {
                guard let record = await store.templateForVersion(request.templateVersionID), record.aiTask else {
                    throw SandboxError(400, "Template does not have a valid \"coder_ai_task\" resource.")
                }
                let generated = "task-" + String(await store.newID().prefix(8))
                let workspace = try await store.createWorkspace(owner: owner, request: CreateWorkspaceRequest(
                    name: request.name ?? generated, templateVersionID: request.templateVersionID,
                    templateVersionPresetID: request.templateVersionPresetID,
                    richParameterValues: [WorkspaceBuildParameter(name: "AI Prompt", value: request.input)]), initiator: user)
                simulator.run(build: workspace.latestBuild.id, of: workspace.id)
                return try Reply.json(await store.renderLegacyTask(workspace), status: 201)
            }
            let task = try await store.createTask(owner: owner, request: request, initiator: user)
            if let workspace = await store.workspaces[task.workspaceID] { simulator.run(build: workspace.latestBuild.id, of: workspace.id) }
            return try Reply.json(await store.render(task: task), status: 201)
        }
        guard r.segments.count >= 5 else { throw SandboxError.routeNotFound }
        let owner = try await store.requireUser(r.segments[3], caller: user)
        let (workspace, task) = try await resolveTask(owner: owner, idOrName: r.segments[4])
        if r.match(.get, base + "/*/*") != nil {
            if let task { return try Reply.json(await store.render(task: task)) }
            return try Reply.json(await store.renderLegacyTask(workspace))
        }
        if r.match(.delete, base + "/*/*") != nil {
            let (_, build) = try await store.createBuild(workspaceID: workspace.id, request: CreateWorkspaceBuildRequest(transition: .delete), initiator: user)
            simulator.run(build: build.id, of: workspace.id)
            return Reply.empty(status: 202)
        }
        if r.match(.post, base + "/*/*/send") != nil {
            let input = try r.decode(TaskInput.self).input
            try await checkTaskReady(workspace, forInput: true)
            guard !input.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw SandboxError(400, "Task input is required.") }
            if workspace.conversation.running {
                throw version.tasksAreWorkspaces
                    ? SandboxError(502, "Task app is not ready to accept input.", detail: "Status: running")
                    : SandboxError(409, "Task app is not ready to accept input.", detail: "Status: running")
            }
            await simulator.startTurn(workspace.id, prompt: input)
            return Reply.empty(status: 204)
        }
        if r.match(.get, base + "/*/*/logs") != nil {
            try await checkTaskReady(workspace, forInput: false)
            return try Reply.json(await store.logs(workspace))
        }
        throw SandboxError.routeNotFound
    }

    func resolveTask(owner: User, idOrName: String) async throws -> (WorkspaceRecord, TaskRecord?) {
        if version.tasksAreWorkspaces {
            guard isUUID(idOrName) else { throw SandboxError.invalidUUID(idOrName) }
            let workspace = try await store.workspace(id: idOrName)
            guard workspace.ownerID == owner.id else { throw SandboxError.notFound }
            return (workspace, nil)
        }
        guard let task = await store.task(owner: owner, idOrName: idOrName), let workspace = await store.workspaces[task.workspaceID] else {
            throw SandboxError.notFound
        }
        return (workspace, task)
    }

    /// The checks `send` and `logs` make before reaching the agent.
    func checkTaskReady(_ workspace: WorkspaceRecord, forInput: Bool) async throws {
        guard await store.template(named: workspace.templateName)?.aiTask == true else {
            throw version.tasksAreWorkspaces ? SandboxError(400, "Task is not configured with a sidebar app.") : SandboxError(400, "Task does not have a workspace app.")
        }
        if version.tasksAreWorkspaces {
            guard workspace.latestBuild.workspaceStatus == .running, let agent = workspace.agent else {
                throw SandboxError(400, "Task is not configured with a sidebar app.")
            }
            if workspace.crashed { throw SandboxError(503, "Task sidebar app is unhealthy.") }
            if agent.appHealth != .healthy { throw SandboxError(503, "Task sidebar app is initializing. Try again shortly.") }
            return
        }
        switch await store.taskStatus(workspace) {
        case .active: return
        case .pending: throw SandboxError(409, "Task is pending.", detail: "The task is resuming. Wait for the task to become active before sending messages.")
        case .initializing: throw SandboxError(409, "Task is initializing.", detail: "The task is resuming. Wait for the task to become active before sending messages.")
        case .paused:
            if forInput { throw SandboxError(409, "Task is paused.", detail: "Resume the task to send messages.") }
            return
        case let status:
            if forInput { throw SandboxError(400, "Task must be active.", detail: "Task status is \"\(status.rawValue)\", it must be \"active\" to interact with the task.") }
            throw SandboxError(409, "Cannot fetch logs for task in current state.", detail: "Task status is \"\(status.rawValue)\".")
        }
    }
}
