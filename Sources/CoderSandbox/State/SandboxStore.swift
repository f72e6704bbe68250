import CoderAPI
import Foundation

/// Everything the sandbox holds, behind one actor: users, templates, workspaces with their builds, agents,
/// status reports and conversations, and tasks.
actor SandboxStore {
    let version: SandboxVersion
    var ids: IDGenerator
    let organization: Organization
    var users: [UserRecord] = []
    var templates: [TemplateRecord] = []
    var workspaces: [String: WorkspaceRecord] = [:]
    var tasks: [String: TaskRecord] = [:]
    /// Agent token → workspace id.
    var agentTokens: [String: String] = [:]
    /// Bumped on every change of a workspace; keys the cache of its rendered JSON.
    var revisions: [String: Int] = [:]
    var renderedJSON: [String: (revision: Int, json: Data)] = [:]
    var pullRequestNumbers: [String: Int] = [:]
    let started = Date()

    init(seed: SandboxSeed, version: SandboxVersion, token: String?) {
        self.version = version
        var ids = IDGenerator(seed: seed.randomSeed)
        let now = Date()
        organization = Organization(id: ids.uuid(), name: seed.organization.name, displayName: seed.organization.displayName, icon: "",
                                    description: "Builtin default organization.", createdAt: now, updatedAt: now, isDefault: true)
        for (index, seedUser) in seed.users.enumerated() {
            let user = User(id: ids.uuid(), username: seedUser.username, name: seedUser.name, email: seedUser.email, avatarURL: "",
                            createdAt: now, updatedAt: now, lastSeenAt: now, status: .active, loginType: "password", themePreference: "",
                            organizationIDs: [organization.id],
                            roles: index == 0 ? [SlimRole(name: "owner", displayName: "Owner", organizationID: "")] : [])
            let secret = index == 0 ? (token ?? ids.token()) : ids.token()
            users.append(UserRecord(user: user, token: secret))
        }
        let owner = users.first?.user
        for seedTemplate in seed.templates { templates.append(Self.makeTemplate(seedTemplate, owner: owner, organization: organization, ids: &ids, now: now)) }
        self.ids = ids
    }

    var sessionToken: String { users.first?.token ?? "" }

    func newID() -> String { ids.uuid() }

    // MARK: - Templates

    private static func makeTemplate(_ seed: SandboxSeed.Template, owner: User?, organization: Organization, ids: inout IDGenerator, now: Date) -> TemplateRecord {
        let templateID = ids.uuid(), versionID = ids.uuid()
        let stats = TransitionStats(p50: 2100, p95: 4800)
        let template = Template(
            id: templateID, createdAt: now, updatedAt: now, organizationID: organization.id, organizationName: organization.name,
            organizationDisplayName: organization.displayName, organizationIcon: "", name: seed.name, displayName: seed.displayName,
            provisioner: "terraform", activeVersionID: versionID, activeUserCount: 1,
            buildTimeStats: TemplateBuildTimeStats(start: stats, stop: TransitionStats(p50: 900, p95: 1600), delete: TransitionStats(p50: 800, p95: 1500)),
            description: seed.description, deprecated: false, deprecationMessage: "", icon: seed.icon ?? "", defaultTtlMs: 0,
            activityBumpMs: 3_600_000, autostopRequirement: TemplateAutostopRequirement(daysOfWeek: [], weeks: 1),
            autostartRequirement: TemplateAutostartRequirement(daysOfWeek: ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]),
            createdByID: owner?.id ?? "", createdByName: owner?.username ?? "", allowUserAutostart: true, allowUserAutostop: true,
            allowUserCancelWorkspaceJobs: false, failureTtlMs: 0, timeTilDormantMs: 0, timeTilDormantAutodeleteMs: 0,
            requireActiveVersion: false, maxPortShareLevel: "public", corsBehavior: "simple", useClassicParameterFlow: false)
        let job = ProvisionerJob(id: ids.uuid(), createdAt: now, startedAt: now, completedAt: now, status: .succeeded, workerID: ids.uuid(),
                                 fileID: ids.uuid(), tags: ["owner": "", "scope": "organization"], queuePosition: 0, queueSize: 0,
                                 organizationID: organization.id, input: .object(["template_version_id": .string(versionID)]),
                                 type: "template_version_import",
                                 metadata: ProvisionerJobMetadata(templateVersionName: "", templateID: templateID, templateName: seed.name,
                                                                  templateDisplayName: seed.displayName, templateIcon: seed.icon ?? ""),
                                 logsOverflowed: false)
        let version = TemplateVersion(id: versionID, templateID: templateID, organizationID: organization.id, createdAt: now, updatedAt: now,
                                      name: "sandbox-\(seed.name)-v1", message: "Seeded by the fleet-mcp sandbox", job: job,
                                      readme: "# \(seed.displayName)\n\n\(seed.description)\n",
                                      createdBy: MinimalUser(id: owner?.id ?? "", username: owner?.username ?? "", name: owner?.name, avatarURL: ""),
                                      archived: false, warnings: [], hasExternalAgent: false)
        let parameters = (seed.parameters ?? []).map { p in
            TemplateVersionParameter(name: p.name, displayName: p.displayName, description: p.description, descriptionPlaintext: p.description,
                                     type: .string, formType: p.formType ?? "input", mutable: p.mutable ?? true, defaultValue: p.defaultValue ?? "",
                                     icon: "", options: [], required: false, ephemeral: false)
        }
        let presets = (seed.presets ?? []).map { p in
            Preset(id: ids.uuid(), name: p.name, parameters: p.parameters.keys.sorted().map { PresetParameter(name: $0, value: p.parameters[$0]!) },
                   isDefault: p.isDefault ?? false, desiredPrebuildInstances: 0, description: p.description ?? "", icon: "")
        }
        return TemplateRecord(template: template, version: version, parameters: parameters, presets: presets, aiTask: seed.aiTask,
                              repository: seed.repository ?? "\(organization.name)/\(seed.name)")
    }

    func template(id: String) -> TemplateRecord? { templates.first { $0.template.id == id } }
    func template(named name: String) -> TemplateRecord? { templates.first { $0.template.name.lowercased() == name.lowercased() } }
    func templateForVersion(_ id: String) -> TemplateRecord? { templates.first { $0.version.id == id } }

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

    func workspace(id: String) throws -> WorkspaceRecord {
        guard isUUID(id) else { throw SandboxError.invalidUUID(id) }
        guard let record = workspaces[id.lowercased()] else { throw SandboxError.notFound }
        if record.deleted {
            throw SandboxError(410, "Workspace \"\(record.id)\" was deleted, you can view this workspace by specifying '?include_deleted=true' and trying again.")
        }
        return record
    }

    func workspace(owner: User, name: String) -> WorkspaceRecord? {
        workspaces.values.first { !$0.deleted && $0.ownerID == owner.id && $0.name.lowercased() == name.lowercased() }
    }

    func workspace(agentToken: String) -> WorkspaceRecord? {
        guard let id = agentTokens[agentToken], let workspace = workspaces[id], !workspace.deleted else { return nil }
        return workspace
    }

    /// `POST /users/{user}/workspaces`: validates like Coder, then queues the first start build.
    func createWorkspace(owner: User, request: CreateWorkspaceRequest, initiator: User) throws -> WorkspaceRecord {
        if !WorkspaceName.isValid(request.name) {
            throw SandboxError(400, "Validation failed.", validations: [ValidationError(field: "name", detail: "Validation failed for tag \"workspace_name\" with value: \"\(request.name)\"")])
        }
        let record: TemplateRecord
        if let versionID = request.templateVersionID {
            guard let found = templateForVersion(versionID) else {
                throw SandboxError(400, "Template version \"\(versionID)\" doesn't exist.", validations: [ValidationError(field: "template_version_id", detail: "template not found")])
            }
            record = found
        } else if let templateID = request.templateID {
            guard let found = template(id: templateID) else {
                throw SandboxError(400, "Template \"\(templateID)\" doesn't exist.", validations: [ValidationError(field: "template_id", detail: "template not found")])
            }
            record = found
        } else {
            throw SandboxError(400, "Either a template ID or a template version ID must be provided.")
        }
        if workspace(owner: owner, name: request.name) != nil {
            throw SandboxError(409, "Workspace \"\(request.name)\" already exists.", validations: [ValidationError(field: "name", detail: "This value is already in use and should be unique.")])
        }
        let parameters = try resolveParameters(record, given: request.richParameterValues ?? [], presetID: request.templateVersionPresetID, previous: [])
        let now = Date()
        let id = ids.uuid()
        var workspace = WorkspaceRecord(id: id, name: request.name, ownerID: owner.id, templateName: record.template.name, createdAt: now, updatedAt: now,
                                        lastUsedAt: now, builds: [], parameters: parameters, agentToken: ids.token(),
                                        agentAPIAppID: ids.uuid(), cliAppID: ids.uuid())
        workspace.builds.append(newBuild(number: 1, transition: .start, versionID: record.version.id, presetID: request.templateVersionPresetID,
                                         initiator: initiator, now: now))
        workspaces[id] = workspace
        revisions[id, default: 0] += 1
        agentTokens[workspace.agentToken] = id
        return workspace
    }

    /// Applies the preset's values over the given ones, drops names the template does not declare, fills defaults.
    func resolveParameters(_ record: TemplateRecord, given: [WorkspaceBuildParameter], presetID: String?, previous: [WorkspaceBuildParameter]) throws -> [WorkspaceBuildParameter] {
        var values: [String: String] = [:]
        for parameter in record.parameters { values[parameter.name] = parameter.defaultValue }
        for parameter in previous where values[parameter.name] != nil { values[parameter.name] = parameter.value }
        for parameter in given where values[parameter.name] != nil { values[parameter.name] = parameter.value }
        if let presetID {
            guard let preset = record.presets.first(where: { $0.id == presetID }) else {
                throw SandboxError(400, "Unable to use the template version preset.", detail: "preset \"\(presetID)\" does not belong to template version \(record.version.id)",
                                   validations: [ValidationError(field: "template_version_preset_id", detail: "invalid preset")])
            }
            for parameter in preset.parameters where values[parameter.name] != nil { values[parameter.name] = parameter.value }
        }
        return record.parameters.map { WorkspaceBuildParameter(name: $0.name, value: values[$0.name] ?? "") }
    }

    func newBuild(number: Int, transition: WorkspaceTransition, versionID: String, presetID: String?, initiator: User, now: Date) -> BuildRecord {
        BuildRecord(id: ids.uuid(), number: number, transition: transition, createdAt: now, updatedAt: now, jobID: ids.uuid(), fileID: ids.uuid(),
                    workerID: ids.uuid(), templateVersionID: versionID, presetID: presetID, initiatorID: initiator.id, reason: .initiator,
                    resourceIDs: (0..<3).map { _ in ids.uuid() })
    }

    /// `POST /workspaces/{id}/builds`.
    func createBuild(workspaceID: String, request: CreateWorkspaceBuildRequest, initiator: User) throws -> (WorkspaceRecord, BuildRecord) {
        var workspace = try self.workspace(id: workspaceID)
        if !request.transition.isKnown {
            throw SandboxError(400, "Validation failed.", validations: [ValidationError(field: "transition", detail: "Validation failed for tag \"oneof\" with value: \"\(request.transition.rawValue)\"")])
        }
        let latest = workspace.latestBuild
        if [.pending, .running, .canceling].contains(latest.jobStatus) {
            throw SandboxError(409, "A workspace build is already active.")
        }
        let versionID = request.templateVersionID ?? latest.templateVersionID
        guard let record = templateForVersion(versionID) else {
            throw SandboxError(400, "Template version \"\(versionID)\" doesn't exist.", validations: [ValidationError(field: "template_version_id", detail: "template version not found")])
        }
        let presetID = request.templateVersionPresetID ?? latest.presetID
        if request.transition == .start {
            workspace.parameters = try resolveParameters(record, given: request.richParameterValues ?? [], presetID: request.templateVersionPresetID, previous: workspace.parameters)
        }
        let now = Date()
        let build = newBuild(number: latest.number + 1, transition: request.transition, versionID: versionID, presetID: presetID, initiator: initiator, now: now)
        workspace.builds.append(build)
        workspace.updatedAt = now
        if request.transition != .start { workspace.agent = nil; workspace.conversation.running = false }
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
        let status = WorkspaceAppStatus(id: ids.uuid(), createdAt: time, workspaceID: workspace.id, agentID: agentID, appID: appID,
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

    func task(owner: User, idOrName: String) -> TaskRecord? {
        if version.tasksAreWorkspaces { return nil }
        if let task = tasks[idOrName.lowercased()], !task.deleted { return task }
        return tasks.values.first { !$0.deleted && $0.ownerID == owner.id && $0.name.lowercased() == idOrName.lowercased() }
    }

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
        let workspace = try createWorkspace(owner: owner, request: CreateWorkspaceRequest(
            name: name, templateVersionID: record.version.id, templateVersionPresetID: request.templateVersionPresetID,
            richParameterValues: [WorkspaceBuildParameter(name: "AI Prompt", value: input)]), initiator: initiator)
        let now = Date()
        let task = TaskRecord(id: ids.uuid(), name: name, displayName: request.displayName ?? String(input.prefix(64)), workspaceID: workspace.id,
                              ownerID: owner.id, templateName: record.template.name, templateVersionID: record.version.id, initialPrompt: input,
                              createdAt: now, updatedAt: now)
        tasks[task.id] = task
        update(workspace.id) { $0.taskID = task.id }
        return task
    }
}
