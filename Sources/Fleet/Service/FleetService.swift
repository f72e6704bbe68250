import CoderAPI
import Foundation
import Logging

/// The fleet's operations, each reading what it needs from Coder on every call.
///
/// Stateless: the only memory is of immutable things (a template version's parameters and presets) and of
/// which tasks API the deployment serves.
public final class FleetService: Sendable {
    public let coder: CoderClient
    public let configuration: FleetConfiguration
    public let deployment: DeploymentDetector
    let parameters = ImmutableCache<String, [TemplateVersionParameter]>()
    let presets = ImmutableCache<String, [Preset]>()
    let identity = ImmutableCache<String, String>()
    let logger: Logger
    /// Asks forges about pull requests in `show_agent`; nil leaves pull requests as the agents reported them.
    let enricher: PullRequestEnricher?

    public init(coder: CoderClient, configuration: FleetConfiguration = FleetConfiguration(), enricher: PullRequestEnricher? = nil,
                logger: Logger = Logger(label: "fleet-mcp")) {
        self.coder = coder
        self.configuration = configuration
        self.enricher = enricher
        self.deployment = DeploymentDetector(coder: coder, pinned: configuration.tasksAPI, logger: logger)
        self.logger = logger
    }

    var naming: AgentNaming { configuration.naming }

    // MARK: - Immutable lookups

    func parameters(ofVersion id: String) async throws -> [TemplateVersionParameter] {
        let coder = self.coder
        return try await parameters.value(for: id) { try await coder.richParameters(templateVersionID: id) }
    }

    func presets(ofVersion id: String) async throws -> [Preset] {
        let coder = self.coder
        return try await presets.value(for: id) { try await coder.presets(templateVersionID: id) }
    }

    func isProjectVersion(_ id: String) async throws -> Bool {
        try await parameters(ofVersion: id).contains { configuration.isPromptParameter($0.name) }
    }

    // MARK: - Projects and roles

    /// Templates whose active version has the prompt parameter. Templates whose version cannot be read are skipped.
    public func listProjects() async throws -> [Project] {
        let templates: [Template]
        do { templates = try await coder.templates() } catch { throw FleetError.coder(error, doing: "list templates") }
        var projects: [Project] = []
        for template in templates where !(template.deleted ?? false) {
            do {
                guard try await isProjectVersion(template.activeVersionID) else { continue }
                var roles: [Preset] = []
                do { roles = try await presets(ofVersion: template.activeVersionID) } catch {
                    logger.warning("cannot read the roles of \(template.name): \(error)")
                }
                projects.append(project(template, roles: roles))
            } catch {
                logger.warning("skipping template \(template.name): \(error)")
            }
        }
        return projects.sorted { $0.name < $1.name }
    }

    func project(_ template: Template, roles: [Preset]) -> Project {
        Project(name: template.name, displayName: template.displayName.isEmpty ? template.name : template.displayName,
                description: template.description, templateID: template.id, activeVersionID: template.activeVersionID,
                organization: template.organizationName, defaultRole: roles.first { $0.isDefault }?.name,
                roles: roles.map(\.name))
    }

    /// Finds a project by template name or display name, case-insensitively.
    func resolveProject(_ name: String) async throws -> Template {
        let wanted = name.trimmingCharacters(in: .whitespaces)
        guard !wanted.isEmpty else {
            throw FleetError(.invalidArgument, "Project is empty. Call list_agent_projects to see the projects.")
        }
        let templates: [Template]
        do { templates = try await coder.templates() } catch { throw FleetError.coder(error, doing: "list templates") }
        let match = templates.first { $0.name.caseInsensitiveCompare(wanted) == .orderedSame }
            ?? templates.first { !$0.displayName.isEmpty && $0.displayName.caseInsensitiveCompare(wanted) == .orderedSame }
        if let match, (try? await isProjectVersion(match.activeVersionID)) == true { return match }
        // Only on the error path: which templates are projects, to suggest one.
        var projectNames: [String] = []
        for template in templates where (try? await isProjectVersion(template.activeVersionID)) == true { projectNames.append(template.name) }
        guard let match else {
            throw FleetError(.notFound, "Project '\(wanted)' does not exist." + Suggestions.phrase(Suggestions.closest(to: wanted, among: projectNames))
                + " Projects: \(projectNames.joined(separator: ", ")). Call list_agent_projects for details.")
        }
        throw FleetError(.invalidArgument, "Template '\(match.name)' is not a fleet project: its active version has no '\(configuration.promptParameter)' parameter. Projects: \(projectNames.joined(separator: ", ")).")
    }

    public func listRoles(project name: String) async throws -> (Project, [Role]) {
        let template = try await resolveProject(name)
        let list: [Preset]
        do { list = try await presets(ofVersion: template.activeVersionID) } catch { throw FleetError.coder(error, doing: "read the presets of \(template.name)") }
        let roles = list.map { Role(name: $0.name, description: $0.description ?? "", isDefault: $0.isDefault, presetID: $0.id, sets: $0.parameters.map(\.name)) }
        return (project(template, roles: list), roles)
    }

    // MARK: - Agents

    /// The caller's workspaces that could be agents, in one request. `nameContains` narrows the answer on the
    /// server (Coder matches `name:` as a case-insensitive substring), so a lookup does not download the fleet.
    func fleetWorkspaces(nameContains: String? = nil) async throws -> [WorkspaceView] {
        let name = nameContains ?? (naming.prefix.isEmpty ? nil : naming.prefix)
        do {
            return try await coder.workspaces(WorkspaceFilter(owner: "me", name: name), as: WorkspaceViewsResponse.self)
                .workspaces.filter { naming.agentName(ofWorkspace: $0.name) != nil || naming.prefix.isEmpty }
        } catch {
            throw FleetError.coder(error, doing: "list workspaces")
        }
    }

    /// Keeps the workspaces whose template is a fleet project (by the template's active version, cached).
    func onlyProjects(_ workspaces: [WorkspaceView]) async -> [WorkspaceView] {
        var verdict: [String: Bool] = [:]
        var kept: [WorkspaceView] = []
        for workspace in workspaces {
            let version = workspace.templateActiveVersionID
            if verdict[version] == nil {
                do { verdict[version] = try await isProjectVersion(version) } catch {
                    logger.warning("cannot read parameters of template version \(version): \(error)")
                    verdict[version] = false
                }
            }
            if verdict[version] == true { kept.append(workspace) }
        }
        return kept
    }

    /// Looks an agent up by name (with or without the prefix, any case). One workspace-list request.
    public func resolveAgent(_ input: String) async throws -> WorkspaceView {
        let name = naming.normalise(input)
        guard !name.isEmpty else { throw FleetError(.invalidArgument, "Agent name is empty. Call list_agents to see the agents.") }
        if UUID(uuidString: name) != nil {
            // A workspace id (as Coder's own tools accept): must still be one of the caller's fleet agents.
            if let workspace = try? await coder.workspace(id: name.lowercased(), as: WorkspaceView.self), naming.agentName(ofWorkspace: workspace.name) != nil,
               await !onlyProjects([workspace]).isEmpty, workspace.ownerID == (try? await callerID()) {
                return workspace
            }
        }
        let wanted = naming.workspaceName(for: name).lowercased()
        // One workspace by its exact name (Coder compares names case-insensitively); a miss or an older server
        // falls back to a name-filtered list.
        var candidates: [WorkspaceView] = []
        var missing = false
        do {
            candidates = [try await coder.workspace(owner: "me", name: wanted, as: WorkspaceView.self)]
        } catch let error as CoderAPIError where error.status == 404 {
            missing = true
        } catch {
            logger.debug("exact lookup of \(wanted) failed (\(error)); listing instead")
        }
        if candidates.isEmpty, !missing { candidates = try await fleetWorkspaces(nameContains: wanted) }
        if let workspace = candidates.first(where: { $0.name.lowercased() == wanted }) {
            guard await !onlyProjects([workspace]).isEmpty else {
                throw FleetError(.invalidArgument, "WorkspaceView '\(workspace.name)' uses template '\(workspace.templateName)', which is not a fleet project; fleet-mcp leaves it alone.")
            }
            return workspace
        }
        // Only on the error path: the whole fleet, to suggest a name.
        let names = try await fleetWorkspaces().compactMap { naming.agentName(ofWorkspace: $0.name) }
        throw FleetError(.notFound, "Agent '\(name)' does not exist." + Suggestions.phrase(Suggestions.closest(to: name, among: names))
            + (names.isEmpty ? " There are no agents; create one with create_agent." : " Call list_agents to see the agents."))
    }

    /// The caller's user id (cached; a token belongs to one user).
    func callerID() async throws -> String {
        let coder = self.coder
        return try await identity.value(for: "me") { try await coder.user().id }
    }

    func roleName(_ workspace: WorkspaceView) async -> String? {
        guard let presetID = workspace.latestBuild.templateVersionPresetID else { return nil }
        let version = workspace.latestBuild.templateVersionID
        return (try? await presets(ofVersion: version))?.first { $0.id == presetID }?.name
    }

    func summary(_ workspace: WorkspaceView) async -> AgentSummary {
        let derived = StatusModel.derive(workspace)
        let reports = AgentApps.reports(in: workspace)
        return AgentSummary(
            name: naming.agentName(ofWorkspace: workspace.name) ?? workspace.name,
            workspaceName: workspace.name, workspaceID: workspace.id, owner: workspace.ownerName,
            status: derived.status, statusReason: derived.reason, project: workspace.templateName,
            role: await roleName(workspace), lastTask: workspace.latestAppStatus?.message,
            pullRequest: PullRequest.newest(in: reports)?.url,
            lastEventAt: StatusModel.lastEventAt(workspace), createdAt: workspace.createdAt)
    }

    /// The prompt the agent was created with: the task's, else the build's `AI Prompt` parameter.
    func taskPrompt(_ workspace: WorkspaceView) async -> String? {
        let generation = (try? await deployment.generation()) ?? .none
        if generation != .none {
            do { return try await coder.task(generation, owner: workspace.ownerName, id: await taskID(workspace)).initialPrompt }
            catch { logger.debug("no task view for \(workspace.name): \(error)") }
        }
        return try? await coder.get(CoderClient.path("/api/v2/workspacebuilds", workspace.latestBuild.id, "parameters"), as: [WorkspaceBuildParameter].self)
            .first { configuration.isPromptParameter($0.name) }?.value
    }

    /// The summary of one agent, with its status confirmed against AgentAPI (see `refine`).
    func detailedSummary(_ workspace: WorkspaceView) async -> AgentSummary {
        var result = await summary(workspace)
        let refined = await refine(StatusModel.derive(workspace), workspace)
        result.status = refined.status
        result.statusReason = refined.reason
        return result
    }

    /// The fleet, filtered and paged. One workspace-list request per call once the template versions are cached.
    public func listAgents(status: String?, project: String?, cursor: String?, limit: Int?) async throws -> AgentList {
        var statuses: Set<AgentStatus>?
        if let status, !status.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let set = AgentStatus.matching(filter: status) else {
                throw FleetError(.invalidArgument, "Unknown status_filter '\(status)'. Use one of: \(AgentStatus.filterVocabulary.joined(separator: ", ")).")
            }
            statuses = set
        }
        let limit = limit ?? 50
        guard (1...500).contains(limit) else { throw FleetError(.invalidArgument, "limit must be between 1 and 500 (got \(limit)).") }
        let after = try cursor.map { try ListCursor.decode($0) }
        var workspaces = await onlyProjects(try await fleetWorkspaces())
        if let project = project?.trimmingCharacters(in: .whitespaces), !project.isEmpty {
            workspaces = workspaces.filter {
                $0.templateName.caseInsensitiveCompare(project) == .orderedSame || $0.templateDisplayName.caseInsensitiveCompare(project) == .orderedSame
            }
        }
        var agents: [AgentSummary] = []
        for workspace in workspaces { agents.append(await summary(workspace)) }
        var counts: [String: Int] = [:]
        for agent in agents { counts[agent.status.rawValue, default: 0] += 1 }
        if let statuses { agents = agents.filter { statuses.contains($0.status) } }
        agents.sort { $0.name.lowercased() < $1.name.lowercased() }
        let total = agents.count
        if let after { agents = agents.filter { $0.name.lowercased() > after.lowercased() } }
        let page = Array(agents.prefix(limit))
        let next = agents.count > limit ? page.last.map { ListCursor.encode(after: $0.name) } : nil
        return AgentList(agents: page, totalCount: total, nextCursor: next, counts: counts)
    }

    public func showAgent(_ name: String) async throws -> AgentDetail {
        let workspace = try await resolveAgent(name)
        // The prompt and the AgentAPI check are independent: one round trip for both.
        async let summary = detailedSummary(workspace)
        async let promptFetch = taskPrompt(workspace)
        let (agentSummary, prompt) = await (summary, promptFetch)
        let generation = (try? await deployment.generation()) ?? .none
        let build = workspace.latestBuild
        let sidebar = AgentApps.sidebarApp(in: workspace)
        let agent = AgentApps.agent(of: sidebar, in: workspace)
        let apps = build.resources.flatMap { $0.agents ?? [] }.flatMap { owner in owner.apps.map { (owner, $0) } }.map { owner, app in
            AppSummary(slug: app.slug, displayName: app.displayName,
                       url: app.external ? (app.url ?? "") : coder.baseURL.absoluteString + AppAddress(owner: workspace.ownerName, workspace: workspace.name, agent: owner.name, slug: app.slug).path(),
                       health: app.health.rawValue, isAgentAPI: app.id == sidebar?.id)
        }
        let reports = AgentApps.reports(in: workspace)
        var pullRequest = PullRequest.newest(in: reports)
        if let pr = pullRequest, let enricher, enricher.canEnrich(pr) { pullRequest = await enricher.enrich(pr) }
        return AgentDetail(
            agent: agentSummary, taskPrompt: prompt,
            build: BuildInfoSummary(id: build.id, number: build.buildNumber, transition: build.transition.rawValue, status: build.status.rawValue,
                                    jobStatus: build.job.status.rawValue, jobError: build.job.error, reason: build.reason.rawValue,
                                    createdAt: build.createdAt, completedAt: build.job.completedAt),
            workspaceAgent: agent.map { WorkspaceAgentSummary(name: $0.name, status: $0.status.rawValue, lifecycle: $0.lifecycleState.rawValue,
                                                             healthy: $0.health.healthy, healthReason: $0.health.reason, version: $0.version) },
            apps: apps, pullRequest: pullRequest, latestReport: StatusModel.currentReport(workspace).map(HistoryEntry.init),
            templateVersionID: build.templateVersionID, outdated: workspace.outdated, tasksAPI: generation.rawValue)
    }
}

/// An opaque `list_agents` cursor: the last name of the previous page, so pages stay stable when agents come and go.
enum ListCursor {
    static func encode(after name: String) -> String {
        Data("after:\(name)".utf8).base64EncodedString()
    }

    static func decode(_ cursor: String) throws -> String {
        guard let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8), text.hasPrefix("after:") else {
            throw FleetError(.invalidArgument, "cursor '\(cursor)' is not one list_agents returned; omit it to start from the first page.")
        }
        return String(text.dropFirst("after:".count))
    }
}
