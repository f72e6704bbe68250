import CoderAPI
import Foundation

/// Turns the sandbox's records into Coder's JSON objects, with the keys real Coder sends.
extension SandboxStore {
    func owner(of workspace: WorkspaceRecord) -> User {
        users.first { $0.user.id == workspace.ownerID }?.user ?? users[0].user
    }

    /// The workspace's JSON, rendered once per change (a fleet list re-sends unchanged workspaces). Always from the
    /// stored record: a caller's copy may be older than the revision the cache is keyed by.
    func json(_ workspace: WorkspaceRecord) throws -> Data {
        let revision = revisions[workspace.id] ?? 0
        if let cached = renderedJSON[workspace.id], cached.revision == revision { return cached.json }
        let json = try CoderJSON.encode(render(workspaces[workspace.id] ?? workspace))
        renderedJSON[workspace.id] = (revision, json)
        return json
    }

    func render(_ workspace: WorkspaceRecord) -> Workspace {
        let owner = owner(of: workspace)
        let record = template(named: workspace.templateName) ?? templates[0]
        let build = render(build: workspace.latestBuild, of: workspace)
        let agentHealthy = workspace.agent.map { $0.status == .connected } ?? true
        return Workspace(
            id: workspace.id, createdAt: workspace.createdAt, updatedAt: workspace.updatedAt, ownerID: owner.id, ownerName: owner.username,
            ownerAvatarURL: "", organizationID: organization.id, organizationName: organization.name ?? "", templateID: record.template.id,
            templateName: record.template.name, templateDisplayName: record.template.displayName, templateIcon: record.template.icon,
            templateAllowUserCancelWorkspaceJobs: false, templateActiveVersionID: record.template.activeVersionID,
            templateRequireActiveVersion: false, templateUseClassicParameterFlow: false, latestBuild: build,
            latestAppStatus: workspace.statuses.max { $0.createdAt < $1.createdAt },
            outdated: workspace.latestBuild.templateVersionID != record.template.activeVersionID, name: workspace.name,
            lastUsedAt: workspace.lastUsedAt, deletingAt: nil, dormantAt: nil,
            health: WorkspaceHealth(healthy: agentHealthy, failingAgents: agentHealthy ? [] : [workspace.latestBuild.agentID ?? ""]),
            automaticUpdates: "never", allowRenames: false, favorite: false, nextStartAt: nil, isPrebuild: false,
            taskID: version.tasksAreWorkspaces ? nil : workspace.taskID)
    }

    func render(build: BuildRecord, of workspace: WorkspaceRecord) -> WorkspaceBuild {
        let owner = owner(of: workspace)
        let record = templateForVersion(build.templateVersionID) ?? templates[0]
        let initiator = users.first { $0.user.id == build.initiatorID }?.user ?? owner
        let status = build.jobStatus
        let job = ProvisionerJob(
            id: build.jobID, createdAt: build.createdAt, startedAt: build.startedAt, completedAt: build.completedAt, canceledAt: build.canceledAt,
            error: build.error, errorCode: nil, status: status, workerID: build.startedAt == nil ? nil : build.workerID, fileID: build.fileID,
            tags: ["owner": "", "scope": "organization"], queuePosition: 0, queueSize: 0, organizationID: organization.id,
            input: .object(["workspace_build_id": .string(build.id)]), type: "workspace_build",
            metadata: ProvisionerJobMetadata(
                templateVersionName: record.version.name, templateID: record.template.id,
                templateName: record.template.name,
                templateDisplayName: record.template.displayName, templateIcon: record.template.icon,
                workspaceID: workspace.id, workspaceName: workspace.name),
            logsOverflowed: false)
        let isLatest = build.id == workspace.latestBuild.id
        return WorkspaceBuild(
            id: build.id, createdAt: build.createdAt, updatedAt: build.updatedAt, workspaceID: workspace.id, workspaceName: workspace.name,
            workspaceOwnerID: owner.id, workspaceOwnerName: owner.username, workspaceOwnerAvatarURL: "", templateVersionID: build.templateVersionID,
            templateVersionName: record.version.name, buildNumber: build.number, transition: build.transition, initiatorID: initiator.id,
            initiatorName: initiator.username, job: job, reason: build.reason,
            resources: status == .succeeded ? resources(build, of: workspace, record: record, live: isLatest) : [],
            deadline: nil, maxDeadline: nil, status: build.workspaceStatus, dailyCost: 0,
            matchedProvisioners: MatchedProvisioners(count: 1, available: 1, mostRecentlySeen: build.createdAt),
            templateVersionPresetID: build.presetID,
            hasAiTask: hasAITask(build, of: workspace, record: record),
            aiTaskSidebarAppID: version == .v2_27 && record.aiTask && build.transition == .start ? workspace.agentAPIAppID : nil,
            hasExternalAgent: false)
    }

    /// A build's `has_ai_task`: written when its job completes, absent before (`omitempty`, v2.35.1
    /// coderd/workspacebuilds.go:1288–1290). From 2.28 it is true for every build of a task's workspace (v2.35.1
    /// coderd/provisionerdserver/provisionerdserver.go:2240–2290 `GetTaskByWorkspaceID`); the recorded 2.27.1 traffic
    /// has it on start builds of AI-task templates. Not modelled without a tasks API.
    func hasAITask(_ build: BuildRecord, of workspace: WorkspaceRecord, record: TemplateRecord) -> Bool? {
        switch version.capabilities.tasksAPI {
        case .none: return nil
        case .experimental where !version.capabilities.tasksHaveOwnIDs: return record.aiTask && build.transition == .start
        case .experimental, .stable: return build.completedAt == nil ? nil : workspace.taskID != nil
        }
    }

    func resources(_ build: BuildRecord, of workspace: WorkspaceRecord, record: TemplateRecord, live: Bool) -> [WorkspaceResource] {
        let volume = WorkspaceResource(
            id: build.resourceIDs[2], createdAt: build.completedAt ?? build.createdAt, jobID: build.jobID,
            workspaceTransition: build.transition, type: "docker_volume", name: "home_volume", hide: false, icon: "",
            agents: nil, metadata: nil, dailyCost: 0)
        guard build.transition == .start else { return build.transition == .stop ? [volume] : [] }
        var agents: [WorkspaceAgent] = []
        if let agentID = build.agentID {
            agents.append(renderAgent(id: agentID, resourceID: build.resourceIDs[0], workspace: workspace, live: live, record: record))
        }
        var list = [
            WorkspaceResource(
                id: build.resourceIDs[0], createdAt: build.completedAt ?? build.createdAt, jobID: build.jobID,
                workspaceTransition: .start, type: "docker_container", name: "workspace", hide: false, icon: "",
                agents: agents, metadata: nil, dailyCost: 0)
        ]
        if record.aiTask {
            list.append(
                WorkspaceResource(
                    id: build.resourceIDs[1], createdAt: build.completedAt ?? build.createdAt, jobID: build.jobID,
                    workspaceTransition: .start, type: "coder_ai_task", name: "agentapi", hide: false, icon: "",
                    agents: nil, metadata: nil, dailyCost: 0))
        }
        list.append(volume)
        return list
    }

    func renderAgent(id: String, resourceID: String, workspace: WorkspaceRecord, live: Bool, record: TemplateRecord) -> WorkspaceAgent {
        let now = workspace.updatedAt
        let runtime = live ? workspace.agent : nil
        let status = runtime?.status ?? .disconnected
        let lifecycle = runtime?.lifecycle ?? .off
        let owner = owner(of: workspace)
        let agentStatuses = workspace.statuses.filter { $0.appID == workspace.agentAPIAppID }
        // Coder 2.27 (recorded) lists an app's statuses oldest first; later versions newest first.
        let ordered = version == .v2_27 ? agentStatuses.sorted { $0.createdAt < $1.createdAt } : agentStatuses.sorted { $0.createdAt > $1.createdAt }
        var apps: [WorkspaceApp] = []
        if record.aiTask {
            apps.append(
                WorkspaceApp(
                    id: workspace.agentAPIAppID, url: "http://localhost:3284/", external: false, slug: "ccw",
                    displayName: "Claude Code",
                    command: nil, icon: "/icon/claude.svg", subdomain: false, sharingLevel: "owner",
                    healthcheck: Healthcheck(url: "http://localhost:3284/status", interval: 3, threshold: 20),
                    health: workspace.crashed ? .unhealthy : (runtime?.appHealth ?? .initializing), hidden: false,
                    openIn: "slim-window", statuses: ordered))
            apps.append(
                WorkspaceApp(
                    id: workspace.cliAppID, url: nil, external: false, slug: "ccw-cli", displayName: "Claude Code CLI",
                    command: "#!/bin/bash\nset -e\n\nagentapi attach\n", icon: "/icon/claude.svg", subdomain: false,
                    sharingLevel: "owner", healthcheck: Healthcheck(url: "", interval: 0, threshold: 0), health: .disabled,
                    hidden: false, openIn: "slim-window", statuses: []))
        }
        let logSourceID = "\(id.prefix(24))0000000000aa"
        let healthy = status == .connected
        return WorkspaceAgent(
            id: id, parentID: nil, createdAt: runtime?.createdAt ?? now, updatedAt: runtime?.updatedAt ?? now,
            firstConnectedAt: runtime?.firstConnectedAt, lastConnectedAt: runtime?.lastConnectedAt,
            startedAt: runtime?.startedAt, readyAt: runtime?.readyAt, status: status, lifecycleState: lifecycle, name: "main",
            resourceID: resourceID, architecture: "amd64",
            environmentVariables: [
                "CODER_MCP_APP_STATUS_SLUG": "ccw", "CODER_MCP_AI_AGENTAPI_URL": "http://localhost:3284",
                "CODER_SESSION_TOKEN": "***CODER_SESSION_TOKEN_REDACTED***", "GIT_AUTHOR_NAME": owner.name ?? owner.username,
            ],
            operatingSystem: "linux", logsLength: 0, logsOverflowed: false, version: version.buildVersion, apiVersion: "2.6", apps: apps,
            latency: healthy ? ["Coder Embedded Relay": AgentLatency(preferred: true, latencyMs: 0.4)] : nil, connectionTimeoutSeconds: 120,
            troubleshootingURL: "https://coder.com/docs/admin/templates/troubleshooting", subsystems: [],
            health: AgentHealth(
                healthy: healthy,
                reason: healthy ? nil : (status == .connecting ? "agent has not yet connected" : "agent is not connected")),
            displayApps: ["port_forwarding_helper", "web_terminal"],
            logSources: [
                AgentLogSource(
                    workspaceAgentID: id, id: logSourceID, createdAt: runtime?.createdAt ?? now, displayName: "Startup Script",
                    icon: "/emojis/25b6-fe0f.png")
            ],
            scripts: [
                AgentScript(
                    id: "\(id.prefix(24))0000000000bb", logSourceID: logSourceID, logPath: "coder-startup-script.log",
                    script: "set -e\n", cron: "", runOnStart: true, runOnStop: false, startBlocksLogin: false, timeout: 0,
                    displayName: "Startup Script")
            ],
            startupScriptBehavior: "non-blocking")
    }

    // MARK: - Tasks

    /// The 2.26–2.27 task view of a workspace (task id = workspace id, status = workspace status).
    func renderLegacyTask(_ workspace: WorkspaceRecord) -> CoderTask {
        let rendered = render(workspace)
        let owner = owner(of: workspace)
        let record = template(named: workspace.templateName) ?? templates[0]
        let state = currentState(workspace, mapFailure: false)
        return CoderTask(
            id: workspace.id, organizationID: organization.id, ownerID: owner.id, ownerName: owner.username, name: workspace.name,
            templateID: record.template.id, templateName: record.template.name, templateDisplayName: record.template.displayName,
            templateIcon: record.template.icon, workspaceID: workspace.id,
            workspaceAgentID: workspace.agent == nil ? nil : workspace.latestBuild.agentID,
            workspaceAgentLifecycle: workspace.agent?.lifecycle,
            workspaceAgentHealth: workspace.agent.map { AgentHealth(healthy: $0.status == .connected) },
            initialPrompt: workspace.prompt, status: TaskStatus(rawValue: rendered.latestBuild.status.rawValue), currentState: state,
            createdAt: workspace.createdAt, updatedAt: workspace.createdAt)
    }

    /// The 2.28+ task object.
    func render(task: TaskRecord) -> CoderTask {
        let workspace = workspaces[task.workspaceID]
        let owner = users.first { $0.user.id == task.ownerID }?.user ?? users[0].user
        let record = template(named: task.templateName) ?? templates[0]
        let status = workspace.map(taskStatus) ?? .pending
        var state = workspace.flatMap { currentState($0, mapFailure: version.capabilities.taskStateMapsFailure) }
        // Synthesised only when no app status stands and the task is initializing (v2.31.1 coderd/aitasks.go:345,
        // v2.35.1 aitasks.go:354–388).
        if state == nil, status == .initializing, let workspace {
            state = TaskCurrentState(timestamp: workspace.latestBuild.createdAt, state: .working, message: initializingMessage(workspace), uri: "")
        }
        return CoderTask(
            id: task.id, organizationID: organization.id, ownerID: owner.id, ownerName: owner.username, ownerAvatarURL: "",
            name: task.name, displayName: task.displayName, templateID: record.template.id, templateVersionID: task.templateVersionID,
            templateName: record.template.name, templateDisplayName: record.template.displayName, templateIcon: record.template.icon,
            workspaceID: task.workspaceID, workspaceName: workspace?.name, workspaceStatus: workspace?.latestBuild.workspaceStatus,
            workspaceBuildNumber: workspace?.latestBuild.number,
            workspaceAgentID: workspace?.agent == nil ? nil : workspace?.latestBuild.agentID,
            workspaceAgentLifecycle: workspace?.agent?.lifecycle,
            workspaceAgentHealth: workspace?.agent.map {
                AgentHealth(healthy: $0.status == .connected, reason: $0.status == .connected ? nil : "agent is not connected")
            },
            workspaceAppID: workspace?.agentAPIAppID, initialPrompt: task.initialPrompt, status: status, currentState: state,
            createdAt: task.createdAt, updatedAt: task.updatedAt)
    }

    func taskStatus(_ workspace: WorkspaceRecord) -> TaskStatus {
        // coderd's `tasks_with_status` view (v2.35.1 coderd/database/migrations/000427_add_workspace_acl_to_tasks_view.up.sql
        // :103–120): a failed, canceling or canceled job is `error`; a stop or delete is `paused` once it succeeded and
        // `unknown` while it is pending or running; a start is `pending` until picked up, then the agent's and app's.
        let build = workspace.latestBuild
        switch build.jobStatus {
        case .failed, .canceling, .canceled: return .error
        case .pending: return build.transition == .start ? .pending : .statusUnknown
        case .running, .succeeded:
            guard build.transition == .start else { return build.jobStatus == .succeeded ? .paused : .statusUnknown }
            guard let agent = workspace.agent, agent.status == .connected, agent.lifecycle == .ready else { return .initializing }
            if workspace.crashed { return .error }
            return agent.appHealth == .initializing ? .initializing : .active
        default: return .statusUnknown
        }
    }

    func initializingMessage(_ workspace: WorkspaceRecord) -> String {
        switch workspace.latestBuild.workspaceStatus {
        case .pending: return "Workspace is pending"
        case .starting: return "Workspace is starting"
        default:
            guard let agent = workspace.agent else { return "Agent is connecting" }
            if agent.status != .connected { return "Agent is connecting" }
            if agent.lifecycle != .ready { return "Agent is starting" }
            return "App is initializing"
        }
    }

    /// The newest status no older than the latest start build.
    func currentState(_ workspace: WorkspaceRecord, mapFailure: Bool) -> TaskCurrentState? {
        let start = workspace.builds.last { $0.transition == .start }?.createdAt ?? workspace.createdAt
        guard let latest = workspace.statuses.max(by: { $0.createdAt < $1.createdAt }), latest.createdAt >= start else { return nil }
        let state: TaskState
        switch latest.state {
        case .working: state = .working
        case .idle: state = .idle
        case .complete: state = .complete
        case .failure: state = mapFailure ? .failed : .failure
        case .unknown(let raw): state = .unknown(raw)
        }
        return TaskCurrentState(timestamp: latest.createdAt, state: state, message: latest.message, uri: latest.uri)
    }

    /// Live logs: the agent's conversation as AgentAPI holds it.
    func logs(_ workspace: WorkspaceRecord) -> TaskLogsResponse {
        TaskLogsResponse(logs: Self.entries(workspace.conversation.messages))
    }

    /// The stored snapshot (`snapshot: true`, and `snapshot_at` once one was taken), as 2.31+ answers while a
    /// task is paused, pending or initializing.
    func snapshotLogs(_ task: TaskRecord) -> TaskLogsResponse {
        guard let snapshot = task.snapshot else { return TaskLogsResponse(logs: [], snapshot: true) }
        return TaskLogsResponse(logs: Self.entries(snapshot.messages), snapshot: true, snapshotAt: snapshot.at)
    }

    static func entries(_ messages: [AgentAPIMessage]) -> [TaskLogEntry] {
        messages.map { TaskLogEntry(id: $0.id, content: $0.content, type: $0.role == .user ? .input : .output, time: $0.time) }
    }
}
