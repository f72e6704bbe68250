import CoderAPI
import Foundation

/// Everything the sandbox holds, behind one actor: users, templates, workspaces with their builds, agents,
/// status reports and conversations, and tasks.
///
/// Every change goes through a method of this file, so that the invariants hold: a workspace's `revisions`
/// entry is bumped on every change (it keys the cache of its rendered JSON), every agent token maps to its
/// workspace, a workspace with a task points at it. Other files read the state (lookups, rendering, search).
actor SandboxStore {
    let version: SandboxVersion
    private(set) var ids: IDGenerator
    let organization: Organization
    private(set) var users: [UserRecord] = []
    private(set) var templates: [TemplateRecord] = []
    private(set) var workspaces: [String: WorkspaceRecord] = [:]
    private(set) var tasks: [String: TaskRecord] = [:]
    /// Agent token → workspace id.
    private(set) var agentTokens: [String: String] = [:]
    /// Bumped on every change of a workspace; keys the cache of its rendered JSON.
    private(set) var revisions: [String: Int] = [:]
    /// Rendered workspace JSON by workspace id (a cache: see `json(_:)`).
    var renderedJSON: [String: (revision: Int, json: Data)] = [:]
    private var pullRequestNumbers: [String: Int] = [:]

    init(seed: SandboxSeed, version: SandboxVersion, token: String?) {
        self.version = version
        var ids = IDGenerator(seed: seed.randomSeed)
        let now = Date()
        organization = Organization(
            id: ids.uuid(), name: seed.organization.name, displayName: seed.organization.displayName, icon: "",
            description: "Builtin default organization.", createdAt: now, updatedAt: now, isDefault: true)
        for (index, seedUser) in seed.users.enumerated() {
            let user = User(
                id: ids.uuid(), username: seedUser.username, name: seedUser.name, email: seedUser.email, avatarURL: "",
                createdAt: now, updatedAt: now, lastSeenAt: now, status: .active, loginType: "password", themePreference: "",
                organizationIDs: [organization.id],
                roles: index == 0 ? [SlimRole(name: "owner", displayName: "Owner", organizationID: "")] : [])
            let secret = (index == 0 ? token : nil) ?? seedUser.token ?? ids.token()
            users.append(UserRecord(user: user, token: secret))
        }
        let owner = users.first?.user
        for seedTemplate in seed.templates {
            var record = TemplateRecord.make(seedTemplate, owner: owner, organization: organization, ids: &ids, now: now)
            // From v2.30.0 coderd's tasksCreate no longer fills `AI Prompt` (coderd/aitasks.go), and templates written
            // from the docs of that era declare `coder_ai_task` and read `data.coder_task` instead.
            if version.capabilities.promptParameter == .unused { record.parameters.removeAll { $0.name == "AI Prompt" } }
            templates.append(record)
        }
        self.ids = ids
    }

    func newID() -> String { ids.uuid() }

    // MARK: - Workspaces

    /// `POST /users/{user}/workspaces`: validates like Coder, then queues the first start build.
    func createWorkspace(owner: User, request: CreateWorkspaceRequest, initiator: User) throws -> WorkspaceRecord {
        if !WorkspaceName.isValid(request.name) {
            throw SandboxError(
                400, "Validation failed.",
                validations: [
                    ValidationError(field: "name", detail: "Validation failed for tag \"workspace_name\" with value: \"\(request.name)\"")
                ])
        }
        let record: TemplateRecord
        if let versionID = request.templateVersionID {
            guard let found = templateForVersion(versionID) else {
                throw SandboxError(
                    400, "Template version \"\(versionID)\" doesn't exist.",
                    validations: [ValidationError(field: "template_version_id", detail: "template not found")])
            }
            record = found
        } else if let templateID = request.templateID {
            guard let found = template(id: templateID) else {
                throw SandboxError(
                    400, "Template \"\(templateID)\" doesn't exist.",
                    validations: [ValidationError(field: "template_id", detail: "template not found")])
            }
            record = found
        } else {
            throw SandboxError(400, "Either a template ID or a template version ID must be provided.")
        }
        if workspace(owner: owner, name: request.name) != nil {
            throw SandboxError(
                409, "Workspace \"\(request.name)\" already exists.",
                validations: [ValidationError(field: "name", detail: "This value is already in use and should be unique.")])
        }
        let parameters = try resolveParameters(
            record, given: request.richParameterValues ?? [], presetID: request.templateVersionPresetID,
            previous: [])
        let now = Date()
        let id = ids.uuid()
        var workspace = WorkspaceRecord(
            id: id, name: request.name, ownerID: owner.id, templateName: record.template.name, createdAt: now,
            updatedAt: now, lastUsedAt: now, builds: [], parameters: parameters, agentToken: ids.token(),
            agentAPIAppID: ids.uuid(), cliAppID: ids.uuid())
        workspace.builds.append(
            newBuild(
                number: 1, transition: .start, versionID: record.version.id, presetID: request.templateVersionPresetID,
                initiator: initiator, reason: .initiator, now: now))
        workspaces[id] = workspace
        revisions[id, default: 0] += 1
        agentTokens[workspace.agentToken] = id
        return workspace
    }

    private func newBuild(
        number: Int, transition: WorkspaceTransition, versionID: String, presetID: String?, initiator: User,
        reason: BuildReason, now: Date
    ) -> BuildRecord {
        BuildRecord(
            id: ids.uuid(), number: number, transition: transition, createdAt: now, updatedAt: now, jobID: ids.uuid(),
            fileID: ids.uuid(), workerID: ids.uuid(), templateVersionID: versionID, presetID: presetID, initiatorID: initiator.id,
            reason: reason, resourceIDs: (0..<3).map { _ in ids.uuid() })
    }

    /// `POST /workspaces/{id}/builds` (and the builds the tasks API queues, with their reason). A stop build
    /// of a task's workspace stores the task's log snapshot, as the agent's shutdown does on 2.31+.
    func createBuild(
        workspaceID: String, request: CreateWorkspaceBuildRequest, initiator: User,
        reason: BuildReason = .initiator
    ) throws -> (WorkspaceRecord, BuildRecord) {
        var workspace = try self.workspace(id: workspaceID)
        if !request.transition.isKnown {
            throw SandboxError(
                400, "Validation failed.",
                validations: [
                    ValidationError(field: "transition", detail: "Validation failed for tag \"oneof\" with value: \"\(request.transition.rawValue)\"")
                ])
        }
        let latest = workspace.latestBuild
        if [.pending, .running, .canceling].contains(latest.jobStatus) {
            // wsbuilder checkRunningBuild: BuildError's detail is its wrapped error, the same text (v2.35.1
            // coderd/wsbuilder/wsbuilder.go:278–301, 1416–1432).
            throw SandboxError(409, "A workspace build is already active.", detail: "A workspace build is already active.")
        }
        let versionID = request.templateVersionID ?? latest.templateVersionID
        guard let record = templateForVersion(versionID) else {
            throw SandboxError(
                400, "Template version \"\(versionID)\" doesn't exist.",
                validations: [ValidationError(field: "template_version_id", detail: "template version not found")])
        }
        let presetID = request.templateVersionPresetID ?? latest.presetID
        if request.transition == .start {
            workspace.parameters = try resolveParameters(
                record, given: request.richParameterValues ?? [],
                presetID: request.templateVersionPresetID, previous: workspace.parameters)
        }
        let now = Date()
        let build = newBuild(
            number: latest.number + 1, transition: request.transition, versionID: versionID, presetID: presetID,
            initiator: initiator, reason: reason, now: now)
        if request.transition == .stop, version.hasPause, let taskID = workspace.taskID {
            tasks[taskID]?.snapshot = TaskSnapshot(messages: workspace.conversation.messages, at: now)
        }
        workspace.builds.append(build)
        workspace.updatedAt = now
        if request.transition != .start {
            workspace.agent = nil
            workspace.conversation.running = false
        }
        workspaces[workspace.id] = workspace
        revisions[workspace.id, default: 0] += 1
        return (workspace, build)
    }

    // MARK: - Simulation hooks

    /// Changes a workspace in place (no copy of its status history).
    func update(_ workspaceID: String, _ change: (inout WorkspaceRecord) -> Void) {
        guard workspaces[workspaceID] != nil else { return }
        change(&workspaces[workspaceID]!)
        revisions[workspaceID, default: 0] += 1
    }

    func updateBuild(_ workspaceID: String, buildID: String, _ change: (inout BuildRecord) -> Void) -> Bool {
        guard let index = workspaces[workspaceID]?.builds.firstIndex(where: { $0.id == buildID }) else { return false }
        change(&workspaces[workspaceID]!.builds[index])
        workspaces[workspaceID]!.builds[index].updatedAt = Date()
        revisions[workspaceID, default: 0] += 1
        return true
    }

    /// `PATCH /workspaceagents/me/app-status`, with Coder's validation.
    func patchAppStatus(agentToken: String, _ patch: PatchAppStatus, at time: Date = Date()) throws {
        guard let workspace = workspace(agentToken: agentToken), workspace.agent != nil, let agentID = workspace.latestBuild.agentID else {
            throw SandboxError.signedOut("Workspace agent token invalid or the workspace is not running.")
        }
        guard patch.message.count <= 160 else { throw SandboxError(400, "Message is too long.", detail: "Message must be less than 160 characters.") }
        guard patch.state.isKnown else { throw SandboxError(400, "Invalid state provided.", detail: "invalid state: \(patch.state.rawValue)") }
        let appID: String
        switch patch.appSlug {
        case "ccw": appID = workspace.agentAPIAppID
        case "ccw-cli": appID = workspace.cliAppID
        default: throw SandboxError(400, "Failed to get workspace app.", detail: "No app found with slug \"\(patch.appSlug)\"")
        }
        let status = WorkspaceAppStatus(
            id: ids.uuid(), createdAt: time, workspaceID: workspace.id, agentID: agentID, appID: appID,
            state: patch.state, message: patch.message, uri: patch.uri ?? "", icon: "", needsUserAttention: false)
        workspaces[workspace.id]!.statuses.append(status)
        revisions[workspace.id, default: 0] += 1
    }

    func nextPullRequest(repository: String) -> Int {
        let next = (pullRequestNumbers[repository] ?? 100) + 1
        pullRequestNumbers[repository] = next
        return next
    }

    // MARK: - Tasks

    func createTask(owner: User, request: CreateTaskRequest, initiator: User) throws -> TaskRecord {
        // `coderd/aitasks.go` tasksCreate: the task's name is also its workspace's name.
        guard let record = templateForVersion(request.templateVersionID) else {
            throw SandboxError(400, "Template version not found or you do not have access to this resource")
        }
        guard record.aiTask else { throw SandboxError(400, "Template does not have a valid \"coder_ai_task\" resource.") }
        if let name = request.name, !name.isEmpty, !WorkspaceName.isValid(name) {
            throw SandboxError(400, "Unable to create a Task with the provided name.", detail: "name must be a valid Coder name")
        }
        let input = request.input.trimmingCharacters(in: .whitespacesAndNewlines)
        let name = request.name.flatMap { $0.isEmpty ? nil : $0 } ?? "task-" + String(ids.uuid().prefix(8))
        let workspace = try createWorkspace(
            owner: owner,
            request: CreateWorkspaceRequest(
                name: name, templateVersionID: record.version.id, templateVersionPresetID: request.templateVersionPresetID,
                richParameterValues: promptParameters(record, input)), initiator: initiator)
        update(workspace.id) { $0.taskInput = input }
        let now = Date()
        let task = TaskRecord(
            id: ids.uuid(), name: name, displayName: request.displayName ?? String(input.prefix(64)),
            workspaceID: workspace.id, ownerID: owner.id, templateName: record.template.name,
            templateVersionID: record.version.id, initialPrompt: input, createdAt: now, updatedAt: now)
        tasks[task.id] = task
        update(workspace.id) { $0.taskID = task.id }
        return task
    }

    /// The `AI Prompt` build parameter coderd adds for a task: always on 2.28 (v2.28.0 coderd/aitasks.go:182), from
    /// v2.29.0 only when the template declares it (aitasks.go:132–150), never from v2.30.0.
    func promptParameters(_ record: TemplateRecord, _ input: String) -> [WorkspaceBuildParameter] {
        switch version.capabilities.promptParameter {
        case .required: [WorkspaceBuildParameter(name: "AI Prompt", value: input)]
        case .optional:
            record.parameters.contains { $0.name == "AI Prompt" } ? [WorkspaceBuildParameter(name: "AI Prompt", value: input)] : []
        case .unused: []
        }
    }

    /// Soft-deletes the tasks of a deleted workspace.
    func deleteTasks(ofWorkspace id: String) {
        for (key, task) in tasks where task.workspaceID == id { tasks[key]?.deleted = true }
    }

    /// `PATCH …/input`: the new prompt, which the agent starts on when the task resumes.
    func updateTaskInput(_ taskID: String, input: String) {
        tasks[taskID]?.initialPrompt = input
        tasks[taskID]?.pendingInput = input
        tasks[taskID]?.updatedAt = Date()
        if let workspaceID = tasks[taskID]?.workspaceID { revisions[workspaceID, default: 0] += 1 }
    }

    /// The idle timeout: queues a stop build (reason `task_auto_pause`) if the workspace belongs to a task and its
    /// agent is still up and waiting; nil when it is not (it got work, or is stopping, or is gone).
    func autoPause(_ workspaceID: String) throws -> BuildRecord? {
        guard version.hasPause, let workspace = workspaces[workspaceID], !workspace.deleted, let taskID = workspace.taskID,
            tasks[taskID]?.deleted == false, workspace.latestBuild.transition == .start,
            workspace.latestBuild.jobStatus == .succeeded, workspace.agent?.lifecycle == .ready, !workspace.conversation.running
        else { return nil }
        let owner = owner(of: workspace)
        return try createBuild(
            workspaceID: workspaceID, request: CreateWorkspaceBuildRequest(transition: .stop), initiator: owner,
            reason: .taskAutoPause
        ).1
    }

    /// Takes the input set while the task was paused, if any (the agent starts on it once).
    func takePendingInput(workspaceID: String) -> String? {
        guard let taskID = workspaces[workspaceID]?.taskID, let input = tasks[taskID]?.pendingInput else { return nil }
        tasks[taskID]?.pendingInput = nil
        return input
    }
}
