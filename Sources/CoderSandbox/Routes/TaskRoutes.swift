import CoderAPI
import Foundation
import Hummingbird

/// The tasks API: `/api/experimental/tasks` (2.27–2.36) and `/api/v2/tasks` (2.31–2.36), with pause, resume and
/// input updates from 2.31; absent on 2.37 and 2.38, where every tasks route answers 404 `Route not found.`
struct TaskRoutes {
    let store: SandboxStore
    let simulator: Simulator
    let version: SandboxVersion

    func collection() -> RouteCollection<SandboxContext> {
        let routes = RouteCollection(context: SandboxContext.self)
        routes.add(middleware: AuthMiddleware(store: store))
        if version.hasExperimentalTasks { add(to: routes, base: "api/experimental/tasks") }
        if version.hasStableTasks { add(to: routes, base: "api/v2/tasks") }
        return routes
    }

    private func add(to routes: RouteCollection<SandboxContext>, base: String) {
        routes.get(RouterPath(base)) { request, context in try await list(request, caller: context.requireCaller()) }
        routes.post("\(base)/{user}") { request, context in try await create(request, context) }
        routes.get("\(base)/{user}/{task}") { _, context in
            let (workspace, task) = try await target(context)
            if let task { return try Reply.json(await store.render(task: task)) }
            return try Reply.json(await store.renderLegacyTask(workspace))
        }
        routes.delete("\(base)/{user}/{task}") { _, context in
            let (workspace, _) = try await target(context)
            let (_, build) = try await store.createBuild(
                workspaceID: workspace.id, request: CreateWorkspaceBuildRequest(transition: .delete),
                initiator: context.requireCaller())
            simulator.run(build: build.id, of: workspace.id)
            return Reply.empty(status: 202)
        }
        routes.post("\(base)/{user}/{task}/send") { request, context in try await send(request, context) }
        routes.get("\(base)/{user}/{task}/logs") { _, context in try await logs(context) }
        // `PATCH …/input` from v2.29.0 (coderd/coderd.go:1043); pause and resume from v2.31.1 (coderd.go:1084–1085,
        // absent in v2.31.0).
        if version.capabilities.inputPatch {
            routes.patch("\(base)/{user}/{task}/input") { request, context in try await updateInput(request, context) }
        }
        guard version.hasPause else { return }
        routes.post("\(base)/{user}/{task}/pause") { _, context in try await pause(context) }
        routes.post("\(base)/{user}/{task}/resume") { _, context in try await resume(context) }
    }

    // MARK: - Handlers

    func list(_ request: Request, caller: User) async throws -> Response {
        let query = try SearchQuery.parse(
            request.query("q") ?? "", allowed: ["owner", "organization", "status"], defaultKey: "owner",
            invalidMessage: "Invalid task search query.")
        var owner: User?
        if let name = query.first("owner") { owner = try await store.requireUser(name, caller: caller) }
        var list: [CoderTask] = []
        if version.tasksAreWorkspaces {
            for workspace in await store.liveWorkspaces() where owner == nil || workspace.ownerID == owner?.id {
                guard await store.canAccess(ownerID: workspace.ownerID, caller: caller) else { continue }
                if await store.isAITask(workspace) { list.append(await store.renderLegacyTask(workspace)) }
            }
        } else {
            for task in await store.liveTasks(ownerID: owner?.id) {
                guard await store.canAccess(ownerID: task.ownerID, caller: caller) else { continue }
                list.append(await store.render(task: task))
            }
        }
        if let status = query.first("status") { list = list.filter { $0.status.rawValue == status } }
        return try Reply.json(TasksResponse(tasks: list, count: list.count))
    }

    func create(_ request: Request, _ context: SandboxContext) async throws -> Response {
        var request = request
        let caller = try context.requireCaller()
        let owner = try await store.requireUser(context.parameter("user"), caller: caller)
        try await store.requireActing(for: owner, caller: caller)
        let body = try await request.decode(CreateTaskRequest.self)
        if version.tasksAreWorkspaces {
            guard let record = await store.templateForVersion(body.templateVersionID), record.aiTask else {
                throw SandboxError(400, "Template does not have a valid \"coder_ai_task\" resource.")
            }
            let generated = "task-" + String(await store.newID().prefix(8))
            let workspace = try await store.createWorkspace(
                owner: owner,
                request: CreateWorkspaceRequest(
                    name: body.name ?? generated, templateVersionID: body.templateVersionID, templateVersionPresetID: body.templateVersionPresetID,
                    richParameterValues: [WorkspaceBuildParameter(name: "AI Prompt", value: body.input)]), initiator: caller)
            simulator.run(build: workspace.latestBuild.id, of: workspace.id)
            return try Reply.json(await store.renderLegacyTask(workspace), status: 201)
        }
        let task = try await store.createTask(owner: owner, request: body, initiator: caller)
        let workspace = try await store.workspace(id: task.workspaceID, includeDeleted: true)
        simulator.run(build: workspace.latestBuild.id, of: workspace.id)
        return try Reply.json(await store.render(task: task), status: 201)
    }

    func send(_ request: Request, _ context: SandboxContext) async throws -> Response {
        var request = request
        let (workspace, _) = try await target(context)
        let input = try await request.decode(TaskInput.self).input
        // coderd checks the input before the task's state, and untrimmed: "  " reaches the agent
        // (v2.35.1 coderd/aitasks.go:750–755 `req.Input == ""`).
        guard !input.isEmpty else { throw SandboxError(400, "Task input is required.") }
        try await checkTaskReady(workspace, forInput: true)
        if workspace.conversation.running {
            // 502 through v2.31.x (v2.31.1 coderd/aitasks.go:762–764), 409 from v2.32.0 (aitasks.go:775–777).
            throw SandboxError(version.capabilities.appNotReadyStatus, "Task app is not ready to accept input.", detail: "Status: running")
        }
        await simulator.startTurn(workspace.id, prompt: input)
        return Reply.empty(status: 204)
    }

    /// Live logs while active; from 2.31 the stored snapshot while paused, pending or initializing
    /// (`coderd/aitasks.go` taskLogs), 409 otherwise.
    func logs(_ context: SandboxContext) async throws -> Response {
        let (workspace, task) = try await target(context)
        guard let task, version.hasPause else {
            try await checkTaskReady(workspace, forInput: false)
            return try Reply.json(await store.logs(workspace))
        }
        switch await store.taskStatus(workspace) {
        case .active:
            try await checkTaskReady(workspace, forInput: false)
            return try Reply.json(await store.logs(workspace))
        case .paused, .pending, .initializing:
            return try Reply.json(await store.snapshotLogs(task))
        case let status:
            throw SandboxError(409, "Cannot fetch logs for task in current state.", detail: "Task status is \"\(status.rawValue)\".")
        }
    }

    /// `POST …/pause`: a stop build with reason `task_manual_pause`; 202 `{"workspace_build": …}`.
    func pause(_ context: SandboxContext) async throws -> Response {
        let (workspace, _) = try await target(context)
        let (stopped, build) = try await store.createBuild(
            workspaceID: workspace.id, request: CreateWorkspaceBuildRequest(transition: .stop),
            initiator: context.requireCaller(), reason: .taskManualPause)
        simulator.run(build: build.id, of: stopped.id)
        return try Reply.json(TaskBuildResponse(workspaceBuild: await store.render(build: build, of: stopped)), status: 202)
    }

    /// `POST …/resume`: a start build with reason `task_resume`. coderd refuses only a running workspace, so a failed
    /// or canceled task resumes too (v2.31.1 coderd/aitasks.go:1334–1387, v2.35.1 aitasks.go:1340–1393); a build still
    /// in progress is refused by the build itself (wsbuilder `checkRunningBuild`, 409).
    func resume(_ context: SandboxContext) async throws -> Response {
        let (workspace, _) = try await target(context)
        let status = workspace.latestBuild.workspaceStatus
        guard status != .running else {
            throw SandboxError(409, "Task workspace is already running.", detail: "Workspace status is \"\(status.rawValue)\".")
        }
        let (started, build) = try await store.createBuild(
            workspaceID: workspace.id, request: CreateWorkspaceBuildRequest(transition: .start),
            initiator: context.requireCaller(), reason: .taskResume)
        simulator.run(build: build.id, of: started.id)
        return try Reply.json(TaskBuildResponse(workspaceBuild: await store.render(build: build, of: started)), status: 202)
    }

    /// `PATCH …/input`: 204 while paused (the agent starts on the new input when resumed), 409 otherwise.
    func updateInput(_ request: Request, _ context: SandboxContext) async throws -> Response {
        var request = request
        let (workspace, task) = try await target(context)
        let input = try await request.decode(TaskInput.self).input
        guard !input.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw SandboxError(400, "Task input is required.") }
        guard let task, await store.taskStatus(workspace) == .paused else {
            throw SandboxError(
                409, "Unable to update task input, task must be paused.",
                detail: "Please stop the task's workspace before updating the input.")
        }
        await store.updateTaskInput(task.id, input: input)
        return Reply.empty(status: 204)
    }

    // MARK: - Helpers

    /// The `{user}/{task}` of the path: 400 for an unknown user, 404 for an unknown task. On 2.27 the task is its
    /// workspace (by id).
    func target(_ context: SandboxContext) async throws -> (WorkspaceRecord, TaskRecord?) {
        let caller = try context.requireCaller()
        let owner = try await store.requireUser(context.parameter("user"), caller: caller)
        guard await store.canAccess(ownerID: owner.id, caller: caller) else { throw SandboxError.notFound }
        let idOrName = try context.parameter("task")
        if version.tasksAreWorkspaces {
            guard isUUID(idOrName) else { throw SandboxError.invalidUUID(idOrName) }
            let workspace = try await store.workspace(id: idOrName)
            guard workspace.ownerID == owner.id else { throw SandboxError.notFound }
            return (workspace, nil)
        }
        // 2.28 takes only a UUID (v2.28.0 coderd/httpmw/taskparam.go:31 `ParseUUIDParam`); a name from 2.29.
        if !version.capabilities.taskLookupByName, !isUUID(idOrName) { throw SandboxError.invalidUUID(idOrName) }
        let (workspace, task) = try await store.requireTask(owner: owner, idOrName: idOrName)
        return (workspace, task)
    }

    /// The checks `send` and `logs` make before reaching the agent.
    func checkTaskReady(_ workspace: WorkspaceRecord, forInput: Bool) async throws {
        guard await store.isAITask(workspace) else {
            throw version.tasksAreWorkspaces
                ? SandboxError(400, "Task is not configured with a sidebar app.")
                : SandboxError(400, "Task does not have a workspace app.")
        }
        if version.tasksAreWorkspaces {
            guard workspace.latestBuild.workspaceStatus == .running, let agent = workspace.agent else {
                throw SandboxError(400, "Task is not configured with a sidebar app.")
            }
            if workspace.crashed { throw SandboxError(503, "Task sidebar app is unhealthy.") }
            if agent.appHealth != .healthy { throw SandboxError(503, "Task sidebar app is initializing. Try again shortly.") }
            return
        }
        let resuming = "The task is resuming. Wait for the task to become active before sending messages."
        switch await store.taskStatus(workspace) {
        case .active: return
        case .pending: throw SandboxError(409, "Task is pending.", detail: resuming)
        case .initializing: throw SandboxError(409, "Task is initializing.", detail: resuming)
        case .paused:
            if forInput { throw SandboxError(409, "Task is paused.", detail: "Resume the task to send messages.") }
            return
        case let status:
            if forInput {
                throw SandboxError(
                    400, "Task must be active.",
                    detail: "Task status is \"\(status.rawValue)\", it must be \"active\" to interact with the task.")
            }
            throw SandboxError(409, "Cannot fetch logs for task in current state.", detail: "Task status is \"\(status.rawValue)\".")
        }
    }
}

/// `codersdk.PauseTaskResponse` / `ResumeTaskResponse` (v2.35.1): the build the request queued.
struct TaskBuildResponse: Encodable {
    var workspaceBuild: WorkspaceBuild
    enum CodingKeys: String, CodingKey { case workspaceBuild = "workspace_build" }
}
