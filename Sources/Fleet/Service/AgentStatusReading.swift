import CoderAPI
import Foundation

/// Reading agents: the fleet table, one agent in detail, and the status check against AgentAPI.
extension FleetService {
    func roleName(_ workspace: WorkspaceView) async -> String? {
        guard let presetID = workspace.latestBuild.templateVersionPresetID else { return nil }
        let version = workspace.latestBuild.templateVersionID
        return (try? await presets(ofVersion: version))?.first { $0.id == presetID }?.name
    }

    func summary(_ workspace: WorkspaceView, status derived: DerivedStatus? = nil) async -> AgentSummary {
        let derived = derived ?? StatusModel.derive(workspace)
        let reports = AgentApps.reports(in: workspace)
        let pause = derived.status == .paused ? PauseInfo(workspace.latestBuild) : nil
        return AgentSummary(
            name: agentName(of: workspace),
            workspaceName: workspace.name, workspaceID: workspace.id, owner: workspace.ownerName,
            status: derived.status, statusReason: derived.reason, project: workspace.templateName,
            role: await roleName(workspace), lastTask: workspace.latestAppStatus?.message,
            pullRequest: PullRequest.newest(in: reports)?.url,
            lastEventAt: StatusModel.lastEventAt(workspace), createdAt: workspace.createdAt,
            pausedBy: pause?.by, pausedSince: pause?.since)
    }

    /// Reports lag input: right after a task is sent, the newest report still describes the previous turn.
    /// When the reports say the agent waits, ask AgentAPI (through Coder's app proxy) whether it is running.
    /// One extra request, only for single-agent calls; failures leave the status as it was.
    func refine(_ derived: DerivedStatus, _ agent: AgentRef) async -> DerivedStatus {
        guard derived.status.acceptsTasks, (try? await backend.isWorking(agent)) == true else { return derived }
        // The newest report describes the previous turn, not this one: it is not the present.
        return DerivedStatus(status: .busy, reason: "working on new input; no report yet", report: nil)
    }

    /// The status of one agent, confirmed against AgentAPI (see `refine`).
    func currentStatus(_ agent: AgentRef) async -> DerivedStatus {
        await refine(StatusModel.derive(agent.workspace), agent)
    }

    /// The prompt the agent was created with, where the backend keeps it.
    func taskPrompt(_ agent: AgentRef) async -> String? {
        (try? await backend.initialPrompt(of: agent)) ?? nil
    }

    /// The fleet, filtered and paged. One workspace-list request per call once the template versions are cached.
    public func listAgents(status: String?, project: String?, cursor: String?, limit: Int?) async throws -> AgentList {
        var statuses: Set<AgentStatus>?
        let inbox = status?.trimmingCharacters(in: .whitespaces).lowercased() == "attention"
        if let status, !status.trimmingCharacters(in: .whitespaces).isEmpty, !inbox {
            guard let set = AgentStatus.matching(filter: status) else {
                throw FleetError(
                    .invalidArgument,
                    "Unknown status_filter '\(Echo.cap(status, 40))'. Use one of: \(AgentStatus.filterVocabulary.joined(separator: ", ")).")
            }
            statuses = set
        }
        let limit = limit ?? 50
        guard (1...500).contains(limit) else { throw FleetError(.invalidArgument, "limit must be between 1 and 500 (got \(limit)).") }
        let after = try cursor.map { try ListCursor.decode($0) }
        let workspaces = inProject(try await onlyProjects(try await fleetWorkspaces()), project)
        // Every agent's status (the counts and filters need it), the rest of a summary only for the page.
        var rows = workspaces.map { ListRow(workspace: $0, name: agentName(of: $0), status: StatusModel.derive($0)) }
        var counts: [String: Int] = [:]
        for row in rows { counts[row.status.status.rawValue, default: 0] += 1 }
        if let statuses { rows = rows.filter { statuses.contains($0.status.status) } }
        if inbox {
            // The inbox: agents that need attention (`Attention`), oldest first.
            rows = rows.filter { Attention.reason(for: $0.status.status) != nil }
            rows = rows.map { row in
                var row = row
                row.lastEventAt = StatusModel.lastEventAt(row.workspace)
                return row
            }
            rows.sort { $0.lastEventAt == $1.lastEventAt ? $0.sortKey < $1.sortKey : $0.lastEventAt < $1.lastEventAt }
        } else {
            rows.sort { $0.sortKey < $1.sortKey }
        }
        let total = rows.count
        if let after {
            let key = after.lowercased()
            if inbox, let index = rows.firstIndex(where: { $0.sortKey == key }) {
                rows = Array(rows[(index + 1)...])
            } else if !inbox {
                rows = rows.filter { $0.sortKey > key }
            }
        }
        let pageRows = rows.prefix(limit)
        var page: [AgentSummary] = []
        page.reserveCapacity(pageRows.count)
        for row in pageRows { page.append(await summary(row.workspace, status: row.status)) }
        let next = rows.count > limit ? pageRows.last.map { ListCursor.encode(after: $0.name) } : nil
        return AgentList(agents: page, totalCount: total, nextCursor: next, counts: counts)
    }

    /// One agent while a list is filtered, sorted and paged: what that needs, and nothing it does not.
    private struct ListRow {
        let workspace: WorkspaceView
        let name: String
        let sortKey: String
        let status: DerivedStatus
        var lastEventAt: Date = .distantPast

        init(workspace: WorkspaceView, name: String, status: DerivedStatus) {
            self.workspace = workspace
            self.name = name
            self.sortKey = name.lowercased()
            self.status = status
        }
    }

    /// Every agent of the fleet, by name: one workspace-list request.
    public func allAgents() async throws -> [AgentSummary] {
        var agents: [AgentSummary] = []
        for workspace in try await onlyProjects(try await fleetWorkspaces()) { agents.append(await summary(workspace)) }
        return agents.sorted { $0.name.lowercased() < $1.name.lowercased() }
    }

    /// One agent for a resource read: its summary and newest report, from one lookup (no AgentAPI or forge).
    public func agentCard(_ name: String) async throws -> AgentCard {
        let agent = try await resolveAgent(name)
        let reports = AgentApps.reports(in: agent.workspace)
        return AgentCard(
            agent: await summary(agent.workspace), latestReport: StatusModel.currentReport(agent.workspace).map(HistoryEntry.init),
            pullRequest: PullRequest.newest(in: reports))
    }

    public func showAgent(_ name: String) async throws -> AgentDetail {
        let agent = try await resolveAgent(name)
        let workspace = agent.workspace
        // The prompt and the AgentAPI check are independent: one round trip for both.
        async let status = currentStatus(agent)
        async let promptFetch = taskPrompt(agent)
        let (derived, prompt) = await (status, promptFetch)
        let agentSummary = await summary(workspace, status: derived)
        let route = await backend.route()
        let build = workspace.latestBuild
        let sidebar = AgentApps.sidebarApp(in: workspace)
        let workspaceAgent = AgentApps.agent(of: sidebar, in: workspace)
        let apps = build.resources.flatMap { $0.agents ?? [] }.flatMap { owner in owner.apps.map { (owner, $0) } }.map { owner, app in
            let address = AppAddress(owner: workspace.ownerName, workspace: workspace.name, agent: owner.name, slug: app.slug)
            return AppSummary(
                slug: app.slug, displayName: app.displayName,
                url: app.external ? (app.url ?? "") : coder.baseURL.absoluteString + address.path(),
                health: app.health.rawValue, isAgentAPI: app.id == sidebar?.id)
        }
        let reports = AgentApps.reports(in: workspace)
        var pullRequest = PullRequest.newest(in: reports)
        if let pr = pullRequest, let enricher, enricher.canEnrich(pr) { pullRequest = await enricher.enrich(pr) }
        return AgentDetail(
            agent: agentSummary, taskPrompt: prompt,
            build: BuildInfoSummary(
                id: build.id, number: build.buildNumber, transition: build.transition.rawValue, status: build.status.rawValue,
                jobStatus: build.job.status.rawValue, jobError: build.job.error, reason: build.reason.rawValue,
                createdAt: build.createdAt, completedAt: build.job.completedAt),
            workspaceAgent: workspaceAgent.map {
                WorkspaceAgentSummary(
                    name: $0.name, status: $0.status.rawValue, lifecycle: $0.lifecycleState.rawValue,
                    healthy: $0.health.healthy, healthReason: $0.health.reason, version: $0.version)
            },
            apps: apps, pullRequest: pullRequest, latestReport: StatusModel.currentReport(workspace).map(HistoryEntry.init),
            templateVersionID: build.templateVersionID, outdated: workspace.outdated, tasksAPI: route)
    }
}

/// An opaque `list_agents` cursor: the last name of the previous page, so pages stay stable when agents come and go.
enum ListCursor {
    static func encode(after name: String) -> String {
        Data("after:\(name)".utf8).base64EncodedString()
    }

    static func decode(_ cursor: String) throws -> String {
        guard let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8), text.hasPrefix("after:") else {
            throw FleetError(
                .invalidArgument, "cursor '\(Echo.cap(cursor, 40))' is not one list_agents returned; omit it to start from the first page.")
        }
        return String(text.dropFirst("after:".count))
    }
}
