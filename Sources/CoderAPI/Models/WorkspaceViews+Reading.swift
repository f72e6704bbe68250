import Foundation

/// Types `CoderClient` decodes with `SelectiveJSONDecoder` instead of Foundation's `JSONDecoder`: the views of
/// workspaces, which read a small part of a large answer.
protocol ReadSelectively {}

extension WorkspaceView: ReadSelectively {}
extension WorkspaceViewsResponse: ReadSelectively {}

/// A fleet's workspace list is streamed: each workspace is decoded as soon as its bytes are in.
extension WorkspaceViewsResponse: StreamableList {
    public static var elementsKey: String { "workspaces" }

    public var streamedElements: [WorkspaceView] {
        get { workspaces }
        set { workspaces = newValue }
    }
}

// One-pass readers of the views (`JSONReadable`). Each reads the keys of the type's `CodingKeys`, with the same
// optionality: `T?` and `@Nullable` members are nil when absent or null, the others are required.

extension WorkspaceView: JSONReadable {
    init(reading reader: inout JSONReader) throws {
        var id: String?, createdAt: Date?, updatedAt: Date?, ownerID: String?, ownerName: String?, templateName: String?
        var templateDisplayName: String?, templateActiveVersionID: String?, latestBuild: BuildView?, latestAppStatus: WorkspaceAppStatus?
        var outdated: Bool?, name: String?, taskID: String?
        var seen = SeenMembers()
        try reader.object { key, r in
            switch key {
            case "id" where seen.first(0): id = try r.identifier()
            case "created_at" where seen.first(1): createdAt = try r.date()
            case "updated_at" where seen.first(2): updatedAt = try r.date()
            case "owner_id" where seen.first(3): ownerID = try r.identifier()
            case "owner_name" where seen.first(4): ownerName = try r.string()
            case "template_name" where seen.first(5): templateName = try r.string()
            case "template_display_name" where seen.first(6): templateDisplayName = try r.string()
            case "template_active_version_id" where seen.first(7): templateActiveVersionID = try r.identifier()
            case "latest_build" where seen.first(8): latestBuild = try r.read(BuildView.self)
            case "latest_app_status" where seen.first(9): latestAppStatus = try r.optional { try $0.read(WorkspaceAppStatus.self) }
            case "outdated" where seen.first(10): outdated = try r.bool()
            case "name" where seen.first(11): name = try r.string()
            case "task_id" where seen.first(12): taskID = try r.optional { try $0.string() }
            default: break
            }
        }
        self.init(
            id: try required(id, "id"), createdAt: try required(createdAt, "created_at"), updatedAt: try required(updatedAt, "updated_at"),
            ownerID: try required(ownerID, "owner_id"), ownerName: try required(ownerName, "owner_name"),
            templateName: try required(templateName, "template_name"),
            templateDisplayName: try required(templateDisplayName, "template_display_name"),
            templateActiveVersionID: try required(templateActiveVersionID, "template_active_version_id"),
            latestBuild: try required(latestBuild, "latest_build"), latestAppStatus: latestAppStatus,
            outdated: try required(outdated, "outdated"), name: try required(name, "name"), taskID: taskID)
    }
}

extension BuildView: JSONReadable {
    init(reading reader: inout JSONReader) throws {
        var id: String?, createdAt: Date?, updatedAt: Date?, buildNumber: Int?, transition: WorkspaceTransition?, status: WorkspaceStatus?
        var reason: BuildReason?, templateVersionID: String?, templateVersionPresetID: String?, job: JobView?, resources: [ResourceView]?
        var aiTaskSidebarAppID: String?
        var seen = SeenMembers()
        try reader.object { key, r in
            switch key {
            case "id" where seen.first(0): id = try r.identifier()
            case "created_at" where seen.first(1): createdAt = try r.date()
            case "updated_at" where seen.first(2): updatedAt = try r.date()
            case "build_number" where seen.first(3): buildNumber = try r.int()
            case "transition" where seen.first(4): transition = try r.open(WorkspaceTransition.self)
            case "status" where seen.first(5): status = try r.open(WorkspaceStatus.self)
            case "reason" where seen.first(6): reason = try r.open(BuildReason.self)
            case "template_version_id" where seen.first(7): templateVersionID = try r.identifier()
            case "template_version_preset_id" where seen.first(8): templateVersionPresetID = try r.optional { try $0.string() }
            case "job" where seen.first(9): job = try r.read(JobView.self)
            case "resources" where seen.first(10): resources = try r.array { try $0.read(ResourceView.self) }
            case "ai_task_sidebar_app_id" where seen.first(11): aiTaskSidebarAppID = try r.optional { try $0.identifier() }
            default: break
            }
        }
        self.init(
            id: try required(id, "id"), createdAt: try required(createdAt, "created_at"), updatedAt: try required(updatedAt, "updated_at"),
            buildNumber: try required(buildNumber, "build_number"), transition: try required(transition, "transition"),
            status: try required(status, "status"), reason: try required(reason, "reason"),
            templateVersionID: try required(templateVersionID, "template_version_id"), templateVersionPresetID: templateVersionPresetID,
            job: try required(job, "job"), resources: try required(resources, "resources"), aiTaskSidebarAppID: aiTaskSidebarAppID)
    }
}

extension JobView: JSONReadable {
    init(reading reader: inout JSONReader) throws {
        var status: ProvisionerJobStatus?, error: String?, startedAt: Date?, completedAt: Date?, queuePosition: Int?, queueSize: Int?
        var seen = SeenMembers()
        try reader.object { key, r in
            switch key {
            case "status" where seen.first(0): status = try r.open(ProvisionerJobStatus.self)
            case "error" where seen.first(1): error = try r.optional { try $0.string() }
            case "started_at" where seen.first(2): startedAt = try r.optional { try $0.date() }
            case "completed_at" where seen.first(3): completedAt = try r.optional { try $0.date() }
            case "queue_position" where seen.first(4): queuePosition = try r.int()
            case "queue_size" where seen.first(5): queueSize = try r.int()
            default: break
            }
        }
        self.init(
            status: try required(status, "status"), error: error, startedAt: startedAt, completedAt: completedAt,
            queuePosition: try required(queuePosition, "queue_position"), queueSize: try required(queueSize, "queue_size"))
    }
}

extension ResourceView: JSONReadable {
    init(reading reader: inout JSONReader) throws {
        var agents: [AgentView]?
        var seen = SeenMembers()
        try reader.object { key, r in
            if case "agents" = key, seen.first(0) { agents = try r.optional { try $0.array { try $0.read(AgentView.self) } } }
        }
        self.init(agents: agents)
    }
}

extension AgentView: JSONReadable {
    init(reading reader: inout JSONReader) throws {
        var id: String?, name: String?, status: AgentStatus?, lifecycleState: AgentLifecycle?, readyAt: Date?, health: AgentHealth?
        var version: String?, apps: [AppView]?
        var seen = SeenMembers()
        try reader.object { key, r in
            switch key {
            case "id" where seen.first(0): id = try r.identifier()
            case "name" where seen.first(1): name = try r.string()
            case "status" where seen.first(2): status = try r.open(AgentStatus.self)
            case "lifecycle_state" where seen.first(3): lifecycleState = try r.open(AgentLifecycle.self)
            case "ready_at" where seen.first(4): readyAt = try r.optional { try $0.date() }
            case "health" where seen.first(5): health = try r.read(AgentHealth.self)
            case "version" where seen.first(6): version = try r.string()
            case "apps" where seen.first(7): apps = try r.array { try $0.read(AppView.self) }
            default: break
            }
        }
        self.init(
            id: try required(id, "id"), name: try required(name, "name"), status: try required(status, "status"),
            lifecycleState: try required(lifecycleState, "lifecycle_state"), readyAt: readyAt, health: try required(health, "health"),
            version: try required(version, "version"), apps: try required(apps, "apps"))
    }
}

extension AgentHealth: JSONReadable {
    init(reading reader: inout JSONReader) throws {
        var healthy: Bool?, reason: String?
        var seen = SeenMembers()
        try reader.object { key, r in
            switch key {
            case "healthy" where seen.first(0): healthy = try r.bool()
            case "reason" where seen.first(1): reason = try r.optional { try $0.string() }
            default: break
            }
        }
        self.init(healthy: try required(healthy, "healthy"), reason: reason)
    }
}

extension AppView: JSONReadable {
    init(reading reader: inout JSONReader) throws {
        var id: String?, url: String?, external: Bool?, slug: String?, displayName: String?, health: AppHealth?
        var statuses: [WorkspaceAppStatus]?
        var seen = SeenMembers()
        try reader.object { key, r in
            switch key {
            case "id" where seen.first(0): id = try r.identifier()
            case "url" where seen.first(1): url = try r.optional { try $0.string() }
            case "external" where seen.first(2): external = try r.bool()
            case "slug" where seen.first(3): slug = try r.string()
            case "display_name" where seen.first(4): displayName = try r.string()
            case "health" where seen.first(5): health = try r.open(AppHealth.self)
            case "statuses" where seen.first(6): statuses = try r.array { try $0.read(WorkspaceAppStatus.self) }
            default: break
            }
        }
        self.init(
            id: try required(id, "id"), url: url, external: try required(external, "external"), slug: try required(slug, "slug"),
            displayName: try required(displayName, "display_name"), health: try required(health, "health"),
            statuses: try required(statuses, "statuses"))
    }
}

extension WorkspaceAppStatus: JSONReadable {
    init(reading reader: inout JSONReader) throws {
        var id: String?, createdAt: Date?, workspaceID: String?, agentID: String?, appID: String?, state: AppStatusState?
        var message: String?, uri: String?, icon: String?, needsUserAttention: Bool?
        var seen = SeenMembers()
        try reader.object { key, r in
            switch key {
            case "id" where seen.first(0): id = try r.string()
            case "created_at" where seen.first(1): createdAt = try r.date()
            case "workspace_id" where seen.first(2): workspaceID = try r.identifier()
            case "agent_id" where seen.first(3): agentID = try r.identifier()
            case "app_id" where seen.first(4): appID = try r.identifier()
            case "state" where seen.first(5): state = try r.open(AppStatusState.self)
            case "message" where seen.first(6): message = try r.string()
            case "uri" where seen.first(7): uri = try r.string()
            case "icon" where seen.first(8): icon = try r.string()
            case "needs_user_attention" where seen.first(9): needsUserAttention = try r.bool()
            default: break
            }
        }
        self.init(
            id: try required(id, "id"), createdAt: try required(createdAt, "created_at"), workspaceID: try required(workspaceID, "workspace_id"),
            agentID: try required(agentID, "agent_id"), appID: try required(appID, "app_id"), state: try required(state, "state"),
            message: try required(message, "message"), uri: try required(uri, "uri"), icon: try required(icon, "icon"),
            needsUserAttention: try required(needsUserAttention, "needs_user_attention"))
    }
}
