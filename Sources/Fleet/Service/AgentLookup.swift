import CoderAPI
import Foundation

/// Finding agents: the caller's fleet workspaces, and one agent by name or workspace id.
extension FleetService {
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
    /// A rejected credential is not "not a project": it fails the call (an empty fleet would mislead).
    func onlyProjects(_ workspaces: [WorkspaceView]) async throws -> [WorkspaceView] {
        var verdict: [String: Bool] = [:]
        var kept: [WorkspaceView] = []
        for workspace in workspaces {
            let version = workspace.templateActiveVersionID
            if verdict[version] == nil {
                do { verdict[version] = try await isProjectVersion(version) } catch let error as CoderAPIError where error.status == 401 {
                    throw FleetError.coder(error, doing: "read template version \(version)")
                } catch {
                    logger.warning("cannot read parameters of template version \(version): \(error)")
                    verdict[version] = false
                }
            }
            if verdict[version] == true { kept.append(workspace) }
        }
        return kept
    }

    /// Keeps the workspaces of a project, named by template name or display name (any case); nil keeps all.
    func inProject(_ workspaces: [WorkspaceView], _ project: String?) -> [WorkspaceView] {
        guard let project = project?.trimmingCharacters(in: .whitespaces), !project.isEmpty else { return workspaces }
        return workspaces.filter {
            $0.templateName.caseInsensitiveCompare(project) == .orderedSame || $0.templateDisplayName.caseInsensitiveCompare(project) == .orderedSame
        }
    }

    /// The agent's name in the fleet (the workspace name without the prefix).
    func agentName(of workspace: WorkspaceView) -> String {
        naming.agentName(ofWorkspace: workspace.name) ?? workspace.name
    }

    /// Looks an agent up by name (with or without the prefix, ASCII case aside) or by workspace id.
    ///
    /// One request: the workspace by its exact name. Only a server without that route (404 `Route not found.`,
    /// an older Coder or a proxy) or an odd answer falls back to a name-filtered list. A name matches only the
    /// agent whose name it is: look-alikes are refused before any request (`AgentNaming.reference`).
    public func resolveAgent(_ input: String) async throws -> AgentRef {
        switch try naming.reference(input) {
        case .id(let id): return try await resolveAgent(id: id)
        case .name(let name): return try await resolveAgent(named: name)
        }
    }

    private func resolveAgent(id: String) async throws -> AgentRef {
        let workspace: WorkspaceView
        do {
            workspace = try await coder.workspace(id: id, as: WorkspaceView.self)
        } catch let error as CoderAPIError where [400, 403, 404, 410].contains(error.status) {
            throw FleetError(.notFound, "No agent of yours has workspace id \(id). Call list_agents to see the agents.")
        } catch {
            throw FleetError.coder(error, doing: "look up workspace \(id)")
        }
        // A workspace id (as Coder's own tools accept) must still name one of the caller's fleet agents.
        guard naming.agentName(ofWorkspace: workspace.name) != nil, workspace.ownerID == (try? await callerID()),
            try await !onlyProjects([workspace]).isEmpty
        else {
            throw FleetError(.notFound, "No agent of yours has workspace id \(id). Call list_agents to see the agents.")
        }
        return AgentRef(workspace: workspace, name: agentName(of: workspace))
    }

    private func resolveAgent(named name: String) async throws -> AgentRef {
        let wanted = naming.workspaceName(for: name).asciiLowercased
        var candidates: [WorkspaceView] = []
        var missing = false
        do {
            switch try await backend.lookup(workspaceName: wanted) {
            case .found(let workspace): candidates = [workspace]
            case .missing: missing = true
            case .unanswered(let error): logger.debug("exact lookup of \(wanted) failed (\(error)); listing instead")
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw FleetError.coder(error, doing: "look up agent '\(name)'")
        }
        if candidates.isEmpty, !missing { candidates = try await fleetWorkspaces(nameContains: wanted) }
        if let workspace = candidates.first(where: { $0.name.asciiLowercased == wanted }) {
            return try await fleetAgent(workspace)
        }
        // Only on the error path: the whole fleet, to suggest a name (and in case the exact route misled us).
        let fleet = try await fleetWorkspaces()
        if let workspace = fleet.first(where: { $0.name.asciiLowercased == wanted }) { return try await fleetAgent(workspace) }
        let names = fleet.compactMap { naming.agentName(ofWorkspace: $0.name) }
        throw FleetError(
            .notFound,
            "Agent '\(name)' does not exist." + Suggestions.phrase(Suggestions.closest(to: name, among: names))
                + (names.isEmpty ? " There are no agents; create one with create_agent." : " Call list_agents to see the agents."))
    }

    private func fleetAgent(_ workspace: WorkspaceView) async throws -> AgentRef {
        guard try await !onlyProjects([workspace]).isEmpty else {
            throw FleetError(
                .invalidArgument,
                "Workspace '\(workspace.name)' uses template '\(workspace.templateName)', which is not a fleet project; fleet-mcp leaves it alone.")
        }
        return AgentRef(workspace: workspace, name: agentName(of: workspace))
    }
}
