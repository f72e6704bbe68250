import CoderAPI
import Foundation

/// Read-only lookups, with the errors Coder answers when something is missing.
extension SandboxStore {
    var sessionToken: String { users.first?.token ?? "" }
    /// The seed's first user, who owns the session token.
    var firstUser: User { users[0].user }

    // MARK: - Templates

    func template(id: String) -> TemplateRecord? { templates.first { $0.template.id == id } }
    func template(named name: String) -> TemplateRecord? { templates.first { $0.template.name.lowercased() == name.lowercased() } }
    func templateForVersion(_ id: String) -> TemplateRecord? { templates.first { $0.version.id == id } }

    /// Whether the workspace's template is an AI-task template (`coder_ai_task`, AgentAPI app).
    func isAITask(_ workspace: WorkspaceRecord) -> Bool { template(named: workspace.templateName)?.aiTask == true }

    /// Applies the preset's values over the given ones, drops names the template does not declare, fills defaults.
    func resolveParameters(
        _ record: TemplateRecord, given: [WorkspaceBuildParameter], presetID: String?,
        previous: [WorkspaceBuildParameter]
    ) throws -> [WorkspaceBuildParameter] {
        var values: [String: String] = [:]
        for parameter in record.parameters { values[parameter.name] = parameter.defaultValue }
        for parameter in previous where values[parameter.name] != nil { values[parameter.name] = parameter.value }
        for parameter in given where values[parameter.name] != nil { values[parameter.name] = parameter.value }
        if let presetID {
            guard let preset = record.presets.first(where: { $0.id == presetID }) else {
                throw SandboxError(
                    400, "Unable to use the template version preset.",
                    detail: "preset \"\(presetID)\" does not belong to template version \(record.version.id)",
                    validations: [ValidationError(field: "template_version_preset_id", detail: "invalid preset")])
            }
            for parameter in preset.parameters where values[parameter.name] != nil { values[parameter.name] = parameter.value }
        }
        return record.parameters.map { WorkspaceBuildParameter(name: $0.name, value: values[$0.name] ?? "") }
    }

    // MARK: - Users

    func user(forToken token: String) -> User? { users.first { $0.token == token }?.user }

    func user(named name: String, caller: User) -> User? {
        if name == "me" { return caller }
        return users.first { $0.user.username.lowercased() == name.lowercased() || $0.user.id == name }?.user
    }

    func requireUser(_ name: String, caller: User) throws -> User {
        guard let user = user(named: name, caller: caller) else {
            throw SandboxError(400, "\"user\" must be an existing uuid or username.", detail: "queried user=\"\(name)\"")
        }
        return user
    }

    // MARK: - Workspaces

    func liveWorkspaces() -> [WorkspaceRecord] {
        workspaces.values.filter { !$0.deleted }.sorted { $0.name.lowercased() < $1.name.lowercased() }
    }

    /// A workspace by id: 400 for a malformed id, 404 when unknown, 410 when deleted (unless `includeDeleted`).
    func workspace(id: String, includeDeleted: Bool = false) throws -> WorkspaceRecord {
        guard isUUID(id) else { throw SandboxError.invalidUUID(id) }
        guard let record = workspaces[id.lowercased()] else { throw SandboxError.notFound }
        if record.deleted && !includeDeleted {
            throw SandboxError(
                410,
                "Workspace \"\(record.id)\" was deleted, you can view this workspace by specifying "
                    + "'?include_deleted=true' and trying again.")
        }
        return record
    }

    /// A workspace by id if it exists, deleted ones included (for the simulation).
    func workspaceIfPresent(_ id: String) -> WorkspaceRecord? { workspaces[id] }

    func workspace(owner: User, name: String) -> WorkspaceRecord? {
        workspaces.values.first { !$0.deleted && $0.ownerID == owner.id && $0.name.lowercased() == name.lowercased() }
    }

    /// The owner's live workspace named `name`, or with id `name` (the app proxy accepts both).
    func workspace(owner: User, nameOrID name: String) -> WorkspaceRecord? {
        if let byName = workspace(owner: owner, name: name) { return byName }
        guard isUUID(name), let byID = workspaces[name.lowercased()], !byID.deleted, byID.ownerID == owner.id else { return nil }
        return byID
    }

    func workspace(agentToken: String) -> WorkspaceRecord? {
        guard let id = agentTokens[agentToken], let workspace = workspaces[id], !workspace.deleted else { return nil }
        return workspace
    }

    /// The token the workspace's agent holds.
    func agentToken(workspaceID: String) -> String? { workspaces[workspaceID]?.agentToken }

    /// A build by id, with its workspace: 400 for a malformed id, 404 when unknown.
    func build(id: String) throws -> (WorkspaceRecord, BuildRecord) {
        guard isUUID(id) else { throw SandboxError.invalidUUID(id) }
        for workspace in workspaces.values {
            if let build = workspace.builds.first(where: { $0.id == id }) { return (workspace, build) }
        }
        throw SandboxError.notFound
    }

    func repository(ofWorkspace id: String) -> String? {
        guard let workspace = workspaces[id] else { return nil }
        return template(named: workspace.templateName)?.repository
    }

    // MARK: - Tasks

    func task(owner: User, idOrName: String) -> TaskRecord? {
        if version.tasksAreWorkspaces { return nil }
        if let task = tasks[idOrName.lowercased()], !task.deleted { return task.ownerID == owner.id ? task : nil }
        return tasks.values.first { !$0.deleted && $0.ownerID == owner.id && $0.name.lowercased() == idOrName.lowercased() }
    }

    /// A task and its workspace, or 404.
    func requireTask(owner: User, idOrName: String) throws -> (WorkspaceRecord, TaskRecord) {
        guard let task = task(owner: owner, idOrName: idOrName), let workspace = workspaces[task.workspaceID] else {
            throw SandboxError.notFound
        }
        return (workspace, task)
    }

    /// Live tasks, newest first, of one owner or of everyone.
    func liveTasks(ownerID: String?) -> [TaskRecord] {
        tasks.values.filter { !$0.deleted && (ownerID == nil || $0.ownerID == ownerID) }.sorted { $0.createdAt > $1.createdAt }
    }
}
