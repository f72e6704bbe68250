import CoderAPI
import Foundation

/// Agents' workspaces: create, delete, restart.
extension FleetService {
    /// Validates name, project and role before writing anything, then creates the workspace with the role's
    /// preset and the task as the prompt. Returns at once, with the agent pending or starting.
    ///
    /// The create request is never retried. If it times out or the connection drops, the agent is looked up by
    /// name before answering, so an agent is created exactly once and the answer says what happened.
    public func createAgent(name rawName: String, project: String, task: String, role: String?) async throws -> ActionResult {
        let name = naming.normalise(rawName)
        try naming.validate(name)
        let prompt = task.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !prompt.isEmpty else {
            throw FleetError(.invalidArgument, "Task is empty. Describe what agent '\(name)' should do.")
        }
        let template = try await resolveProject(project)
        let version = template.activeVersionID
        let params: [TemplateVersionParameter]
        let roles: [Preset]
        do {
            params = try await parameters(ofVersion: version)
            roles = try await presets(ofVersion: version)
        } catch { throw FleetError.coder(error, doing: "read template \(template.name)") }
        let preset = try chooseRole(role, among: roles, project: template.name)
        let creation = AgentCreation(
            workspaceName: naming.workspaceName(for: name), template: template, presetID: preset?.id,
            promptParameter: params.first { configuration.isPromptParameter($0.name) }?.name ?? configuration.promptParameter,
            prompt: prompt)
        // Whether the name is taken, asked before writing: it tells "already exists" apart from "created, but the
        // answer was lost" when a create request fails on the way back.
        if let existing = try? await coder.workspace(owner: "me", name: creation.workspaceName, as: WorkspaceView.self) {
            throw FleetError(
                .conflict,
                "Agent '\(naming.agentName(ofWorkspace: existing.name) ?? name)' already exists. Pick another name, or delete_agent '\(name)' first.")
        }
        let workspace: WorkspaceView
        do {
            workspace = try await backend.create(creation)
        } catch let error as CoderAPIError where error.status == 409 {
            throw FleetError(
                .conflict, "Agent '\(name)' already exists (Coder: \(error.coderMessage)). Pick another name, or delete_agent '\(name)' first.")
        } catch let error as TransportError {
            workspace = try await confirmCreated(creation, name: name, after: error)
        } catch {
            throw FleetError.coder(error, doing: "create agent '\(name)'")
        }
        let status = StatusModel.derive(workspace).status
        return ActionResult(
            agent: name, status: status,
            message: "Agent '\(name)' is \(status.rawValue) in project '\(template.name)'" + (preset.map { " with role '\($0.name)'" } ?? "")
                + ". Call wait_for_agent to follow it.",
            workspaceID: workspace.id, buildID: workspace.latestBuild.id, role: preset?.name, project: template.name, task: Echo.cap(prompt, 500))
    }

    /// The role asked for, or the project's default role.
    private func chooseRole(_ role: String?, among roles: [Preset], project: String) throws -> Preset? {
        guard let role = role?.trimmingCharacters(in: .whitespaces), !role.isEmpty else { return roles.first { $0.isDefault } }
        if let match = roles.first(where: { $0.name.caseInsensitiveCompare(role) == .orderedSame }) { return match }
        let names = roles.map(\.name)
        throw FleetError(
            .notFound,
            "Role '\(Echo.cap(role, 40))' does not exist in project '\(project)'." + Suggestions.phrase(Suggestions.closest(to: role, among: names))
                + (names.isEmpty
                    ? " This project has no roles; omit role." : " Roles: \(names.joined(separator: ", ")). Call list_agent_roles for details."))
    }

    /// After a create request whose answer was lost: did Coder create the workspace? Asks by name, once.
    /// The name was free before the request (checked first), so a workspace by that name now is this call's.
    private func confirmCreated(_ creation: AgentCreation, name: String, after lost: TransportError) async throws -> WorkspaceView {
        let backend = self.backend
        do {
            // Its own short budget: the call's deadline may be what cut the create short.
            let answer = try await CallDeadline.$current.withValue(ContinuousClock.now + .seconds(5)) {
                try await backend.lookup(workspaceName: creation.workspaceName)
            }
            switch answer {
            case .found(let workspace):
                logger.notice("create of \(creation.workspaceName) lost its answer (\(lost)); the workspace exists")
                return workspace
            case .missing:
                throw FleetError(
                    .coder,
                    "Could not create agent '\(name)': \(lost.description). Coder has no workspace \(creation.workspaceName), so nothing was "
                        + "created; call create_agent again.")
            case .unanswered(let error): throw error
            }
        } catch let error as FleetError {
            throw error
        } catch {
            throw FleetError(
                .coder,
                "Creating agent '\(name)' may or may not have worked: \(lost.description), and Coder could not be asked afterwards. "
                    + "Call show_agent '\(name)' before creating it again.")
        }
    }

    /// Deletes the agent's workspace; returns at once with the delete build. An agent already being deleted is a
    /// success, not an error.
    public func deleteAgent(_ input: String) async throws -> ActionResult {
        let agent = try await resolveAgent(input)
        let workspace = agent.workspace
        if let ongoing = Self.deletion(workspace) { return ongoing(agent.name) }
        do {
            let build = try await coder.createBuild(workspaceID: workspace.id, CreateWorkspaceBuildRequest(transition: .delete))
            return ActionResult(
                agent: agent.name, status: .deleting, message: "Agent '\(agent.name)' is being deleted (build \(build.buildNumber)).",
                workspaceID: workspace.id, buildID: build.id)
        } catch let error as CoderAPIError where error.status == 409 {
            // Someone (or an earlier call whose answer was lost) may have started the deletion meanwhile.
            if let fresh = try? await coder.workspace(id: workspace.id, includeDeleted: true, as: WorkspaceView.self),
                let ongoing = Self.deletion(fresh)
            {
                return ongoing(agent.name)
            }
            throw FleetError(
                .conflict,
                "Agent '\(agent.name)' has a build in progress (Coder: \(error.coderMessage)); wait_for_agent, then delete_agent again.")
        } catch {
            throw FleetError.coder(error, doing: "delete agent '\(agent.name)'")
        }
    }

    /// The answer for a workspace whose delete build is already queued, running or done.
    private static func deletion(_ workspace: WorkspaceView) -> ((String) -> ActionResult)? {
        let build = workspace.latestBuild
        guard build.transition == .delete, build.status != .failed, build.status != .canceled else { return nil }
        let done = build.status == .deleted
        return { name in
            ActionResult(
                agent: name, status: done ? .deleted : .deleting,
                message: done ? "Agent '\(name)' is already deleted." : "Agent '\(name)' is already being deleted (build \(build.buildNumber)).",
                workspaceID: workspace.id, buildID: build.id)
        }
    }

    /// Stops the workspace if it runs, waits (bounded) for the stop, then starts it.
    public func restartAgent(
        _ input: String, progress: @escaping @Sendable (Double, String) async -> Void = { _, _ in }
    ) async throws
        -> ActionResult
    {
        let agent = try await resolveAgent(input)
        let workspace = agent.workspace
        let name = agent.name
        do {
            if ![.stopped, .failed, .canceled].contains(workspace.latestBuild.status) {
                if [.pending, .starting, .stopping, .canceling, .deleting].contains(workspace.latestBuild.status) {
                    throw FleetError(
                        .wrongState,
                        "Agent '\(name)' has a \(workspace.latestBuild.status.rawValue) build in progress; wait_for_agent, then restart_agent again.")
                }
                let stop = try await coder.createBuild(workspaceID: workspace.id, CreateWorkspaceBuildRequest(transition: .stop))
                guard let stopped = try await waitForBuild(stop, doing: "stopping agent '\(name)'", progress: progress) else {
                    return ActionResult(
                        agent: name, status: .stopping,
                        message: "Agent '\(name)' is still stopping; call restart_agent again once it is stopped to start it.",
                        workspaceID: workspace.id, buildID: stop.id)
                }
                if stopped.status == .failed {
                    throw FleetError(
                        .coder, "Stopping agent '\(name)' failed: \(stopped.job.error ?? "unknown error"). Try restart_agent again or delete_agent.")
                }
            }
            let start = try await coder.createBuild(workspaceID: workspace.id, CreateWorkspaceBuildRequest(transition: .start))
            return ActionResult(
                agent: name, status: start.status == .running ? .starting : AgentStatus(rawValue: start.status.rawValue) ?? .starting,
                message: "Agent '\(name)' is restarting (build \(start.buildNumber)). Call wait_for_agent to follow it.",
                workspaceID: workspace.id, buildID: start.id)
        } catch let error as FleetError {
            throw error
        } catch let error as CoderAPIError where error.status == 409 {
            throw FleetError(
                .conflict, "Agent '\(name)' has a build in progress (Coder: \(error.coderMessage)); wait_for_agent, then restart_agent again.")
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw FleetError.coder(error, doing: "restart agent '\(name)'")
        }
    }

    /// Polls a build until its job ends; nil when the configured maximum wait ran out first.
    func waitForBuild(
        _ build: WorkspaceBuild, doing action: String, progress: @Sendable (Double, String) async -> Void
    ) async throws
        -> WorkspaceBuild?
    {
        let started = ContinuousClock.now
        let deadline = started + configuration.maxWait
        var current = build
        while !current.job.status.isTerminal {
            await progress((ContinuousClock.now - started).seconds, "\(action): \(current.job.status.rawValue)")
            guard ContinuousClock.now < deadline else { return nil }
            try await Task.sleep(for: configuration.pollInterval)
            current = try await coder.build(id: build.id)
        }
        return current
    }
}

extension ProvisionerJobStatus {
    var isTerminal: Bool { [.succeeded, .failed, .canceled].contains(self) }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
