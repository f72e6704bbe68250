import CoderAPI
import Foundation

extension FleetService {
    // MARK: - Create

    /// Validates name, project and role before writing anything, then creates the workspace with the role's
    /// preset and the task as the prompt. Returns at once, with the agent pending or starting.
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
        var preset: Preset?
        if let role = role?.trimmingCharacters(in: .whitespaces), !role.isEmpty {
            guard let match = roles.first(where: { $0.name.caseInsensitiveCompare(role) == .orderedSame }) else {
                let names = roles.map(\.name)
                throw FleetError(.notFound, "Role '\(role)' does not exist in project '\(template.name)'." + Suggestions.phrase(Suggestions.closest(to: role, among: names))
                    + (names.isEmpty ? " This project has no roles; omit role." : " Roles: \(names.joined(separator: ", ")). Call list_agent_roles for details."))
            }
            preset = match
        } else {
            preset = roles.first { $0.isDefault }
        }
        let promptName = params.first { configuration.isPromptParameter($0.name) }?.name ?? configuration.promptParameter
        let workspaceName = naming.workspaceName(for: name)
        let generation = (try? await deployment.generation()) ?? .none
        let ownIDs = await deployment.tasksHaveOwnIDs()
        let workspace: WorkspaceView
        do {
            if generation != .none && ownIDs {
                // 2.28+: only a task is a task. Coder names its workspace after the task.
                let created = try await coder.createTask(generation, CreateTaskRequest(templateVersionID: version, templateVersionPresetID: preset?.id,
                                                                                  input: prompt, name: workspaceName))
                workspace = try await coder.workspace(owner: created.ownerName, name: created.workspaceName ?? workspaceName, as: WorkspaceView.self)
            } else {
                workspace = try await coder.createWorkspace(organization: template.organizationID, CreateWorkspaceRequest(
                    name: workspaceName, templateID: template.id, templateVersionPresetID: preset?.id,
                    richParameterValues: [WorkspaceBuildParameter(name: promptName, value: prompt)]), as: WorkspaceView.self)
            }
        } catch let error as CoderAPIError where error.status == 409 {
            throw FleetError(.conflict, "Agent '\(name)' already exists (Coder: \(error.coderMessage)). Pick another name, or delete_agent '\(name)' first.")
        } catch {
            throw FleetError.coder(error, doing: "create agent '\(name)'")
        }
        let status = StatusModel.derive(workspace).status
        return ActionResult(agent: name, status: status,
                            message: "Agent '\(name)' is \(status.rawValue) in project '\(template.name)'" + (preset.map { " with role '\($0.name)'" } ?? "")
                                + ". Call wait_for_agent to follow it.",
                            workspaceID: workspace.id, buildID: workspace.latestBuild.id, role: preset?.name, project: template.name, task: prompt)
    }

    // MARK: - Tasks

    /// Reports lag input: right after a task is sent, the newest report still describes the previous turn.
    /// When the reports say the agent waits, ask AgentAPI (through Coder's app proxy) whether it is running.
    /// One extra request, only for single-agent calls; failures leave the status as it was.
    func refine(_ derived: DerivedStatus, _ workspace: WorkspaceView) async -> DerivedStatus {
        guard derived.status.acceptsTasks, let app = try? agentAPI(workspace, agent: workspace.name) else { return derived }
        guard let status = try? await coder.agentAPIStatus(app), status.status == .running else { return derived }
        return DerivedStatus(status: .busy, reason: "working on new input; no report yet", report: derived.report)
    }

    /// Sends a new task to an agent that is waiting for one.
    public func startTask(agent input: String, task: String) async throws -> ActionResult {
        let text = task.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else {
            throw FleetError(.invalidArgument, "task_description is empty. Describe what the agent should do.")
        }
        let workspace = try await resolveAgent(input)
        let name = naming.agentName(ofWorkspace: workspace.name) ?? workspace.name
        let derived = await refine(StatusModel.derive(workspace), workspace)
        try refuseUnlessReady(name, derived)
        try await sendInput(workspace, agent: name, text: text)
        return ActionResult(agent: name, status: .busy, message: "Task sent to agent '\(name)'. Call wait_for_agent to follow it.",
                            workspaceID: workspace.id, buildID: workspace.latestBuild.id, task: text)
    }

    func refuseUnlessReady(_ name: String, _ derived: DerivedStatus) throws {
        switch derived.status {
        case .idle, .complete, .needsInput: return
        case .busy:
            let current = derived.report?.message ?? ""
            throw FleetError(.wrongState, "Agent '\(name)' is busy" + (current.isEmpty ? "" : " with '\(current)'") + "; wait_for_agent or cancel_agent_task first.")
        case .pending, .starting:
            throw FleetError(.wrongState, "Agent '\(name)' is still \(derived.status.rawValue)" + (derived.reason.map { " (\($0))" } ?? "") + "; call wait_for_agent until it is idle.")
        case .stopped, .stopping, .canceled, .canceling:
            throw FleetError(.wrongState, "Agent '\(name)' is \(derived.status.rawValue); call restart_agent to start it again.")
        case .deleting, .deleted:
            throw FleetError(.wrongState, "Agent '\(name)' is \(derived.status.rawValue); create a new agent with create_agent.")
        case .failed:
            throw FleetError(.wrongState, "Agent '\(name)' has failed" + (derived.reason.map { " (\($0))" } ?? "") + "; call restart_agent, or delete_agent and create it again.")
        }
    }

    /// Delivers input through the tasks API, or AgentAPI where the deployment has none.
    func sendInput(_ workspace: WorkspaceView, agent name: String, text: String) async throws {
        var generation = (try? await deployment.generation()) ?? .none
        while generation != .none {
            do {
                try await coder.sendTaskInput(generation, owner: workspace.ownerName, id: await taskID(workspace), input: text)
                return
            } catch let error as CoderAPIError where error.status == 404 && error.message == "Route not found." {
                generation = await deployment.demote(from: generation)
            } catch let error as CoderAPIError where error.status == 409 || error.status == 502 && error.message.contains("not ready") {
                throw FleetError(.wrongState, "Agent '\(name)' is not ready for input (Coder: \(error.coderMessage)); wait_for_agent, then try again.")
            } catch {
                throw FleetError.coder(error, doing: "send the task to agent '\(name)'")
            }
        }
        let app = try agentAPI(workspace, agent: name)
        do {
            let status = try await coder.agentAPIStatus(app)
            if status.status == .running {
                throw FleetError(.wrongState, "Agent '\(name)' is busy (AgentAPI reports running); wait_for_agent or cancel_agent_task first.")
            }
            try await coder.agentAPISend(app, content: text, type: .user)
        } catch {
            throw FleetError.coder(error, doing: "send the task to agent '\(name)' through AgentAPI at \(app)")
        }
    }

    /// 2.26–2.27 address a task by its workspace id; 2.28+ by the task id the workspace links (2.30+) or by
    /// the task's name, which is the workspace's name.
    func taskID(_ workspace: WorkspaceView) async -> String {
        if let id = workspace.taskID { return id }
        return await deployment.tasksHaveOwnIDs() ? workspace.name : workspace.id
    }

    func agentAPI(_ workspace: WorkspaceView, agent name: String) throws -> AppAddress {
        guard let app = AgentApps.sidebarApp(in: workspace) else {
            throw FleetError(.unavailable, "Agent '\(name)' has no AgentAPI app (slug \(AgentApps.knownSlugs.joined(separator: "/"))); its template must include Coder's claude-code module.")
        }
        return AppAddress(owner: workspace.ownerName, workspace: workspace.name, agent: AgentApps.agent(of: app, in: workspace)?.name, slug: app.slug)
    }

    /// Interrupts the current turn with ESC through AgentAPI; the workspace keeps running.
    public func cancelTask(agent input: String) async throws -> ActionResult {
        let workspace = try await resolveAgent(input)
        let name = naming.agentName(ofWorkspace: workspace.name) ?? workspace.name
        let derived = await refine(StatusModel.derive(workspace), workspace)
        guard derived.status == .busy else {
            throw FleetError(.wrongState, "Agent '\(name)' is \(derived.status.rawValue), not busy; there is no task to cancel."
                + (derived.status.acceptsTasks ? " Give it a new one with start_agent_task." : ""))
        }
        let app = try agentAPI(workspace, agent: name)
        do {
            try await coder.agentAPISend(app, content: "\u{1b}", type: .raw)
        } catch {
            throw FleetError.coder(error, doing: "interrupt agent '\(name)' through AgentAPI at \(app)")
        }
        return ActionResult(agent: name, status: .busy, message: "Interrupt (ESC) sent to agent '\(name)'; it stops its current turn and reports idle. Call wait_for_agent to confirm.",
                            workspaceID: workspace.id, buildID: workspace.latestBuild.id, task: derived.report?.message)
    }

    // MARK: - Builds

    /// Deletes the agent's workspace; returns at once with the delete build.
    public func deleteAgent(_ input: String) async throws -> ActionResult {
        let workspace = try await resolveAgent(input)
        let name = naming.agentName(ofWorkspace: workspace.name) ?? workspace.name
        do {
            let build = try await coder.createBuild(workspaceID: workspace.id, CreateWorkspaceBuildRequest(transition: .delete))
            return ActionResult(agent: name, status: .deleting, message: "Agent '\(name)' is being deleted (build \(build.buildNumber)).",
                                workspaceID: workspace.id, buildID: build.id)
        } catch let error as CoderAPIError where error.status == 409 {
            throw FleetError(.conflict, "Agent '\(name)' has a build in progress (Coder: \(error.coderMessage)); wait_for_agent, then delete_agent again.")
        } catch {
            throw FleetError.coder(error, doing: "delete agent '\(name)'")
        }
    }

    /// Stops the workspace if it runs, waits (bounded) for the stop, then starts it.
    public func restartAgent(_ input: String, progress: @escaping @Sendable (Double, String) async -> Void = { _, _ in }) async throws -> ActionResult {
        let workspace = try await resolveAgent(input)
        let name = naming.agentName(ofWorkspace: workspace.name) ?? workspace.name
        do {
            if ![.stopped, .failed, .canceled].contains(workspace.latestBuild.status) {
                if [.pending, .starting, .stopping, .canceling, .deleting].contains(workspace.latestBuild.status) {
                    throw FleetError(.wrongState, "Agent '\(name)' has a \(workspace.latestBuild.status.rawValue) build in progress; wait_for_agent, then restart_agent again.")
                }
                let stop = try await coder.createBuild(workspaceID: workspace.id, CreateWorkspaceBuildRequest(transition: .stop))
                let started = ContinuousClock.now
                let deadline = started + configuration.maxWait
                var build = stop
                while !build.job.status.isTerminal {
                    await progress((ContinuousClock.now - started).seconds, "stopping agent '\(name)': \(build.job.status.rawValue)")
                    guard ContinuousClock.now < deadline else {
                        return ActionResult(agent: name, status: .stopping, message: "Agent '\(name)' is still stopping; call restart_agent again once it is stopped to start it.",
                                            workspaceID: workspace.id, buildID: stop.id)
                    }
                    try await Task.sleep(for: configuration.pollInterval)
                    build = try await coder.build(id: stop.id)
                }
                if build.status == .failed {
                    throw FleetError(.coder, "Stopping agent '\(name)' failed: \(build.job.error ?? "unknown error"). Try restart_agent again or delete_agent.")
                }
            }
            let start = try await coder.createBuild(workspaceID: workspace.id, CreateWorkspaceBuildRequest(transition: .start))
            return ActionResult(agent: name, status: start.status == .running ? .starting : AgentStatus(rawValue: start.status.rawValue) ?? .starting,
                                message: "Agent '\(name)' is restarting (build \(start.buildNumber)). Call wait_for_agent to follow it.",
                                workspaceID: workspace.id, buildID: start.id)
        } catch let error as FleetError {
            throw error
        } catch let error as CoderAPIError where error.status == 409 {
            throw FleetError(.conflict, "Agent '\(name)' has a build in progress (Coder: \(error.coderMessage)); wait_for_agent, then restart_agent again.")
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw FleetError.coder(error, doing: "restart agent '\(name)'")
        }
    }

    // MARK: - History and log

    public func taskHistory(agent input: String, page: Int, pageSize: Int) async throws -> Page<HistoryEntry> {
        try validatePage(page, pageSize)
        let workspace = try await resolveAgent(input)
        let name = naming.agentName(ofWorkspace: workspace.name) ?? workspace.name
        return Page(agentName: name, all: AgentApps.reports(in: workspace).map(HistoryEntry.init), page: page, pageSize: pageSize)
    }

    public func log(agent input: String, page: Int, pageSize: Int) async throws -> (Page<LogEntry>, String) {
        try validatePage(pageSize: pageSize, page)
        let workspace = try await resolveAgent(input)
        let name = naming.agentName(ofWorkspace: workspace.name) ?? workspace.name
        var generation = (try? await deployment.generation()) ?? .none
        var entries: [LogEntry] = []
        var source = "agentapi"
        while true {
            if generation == .none {
                do {
                    let app = try agentAPI(workspace, agent: name)
                    entries = try await coder.agentAPIMessages(app).messages.map {
                        LogEntry(id: $0.id, type: $0.role == .user ? "input" : "output", content: $0.content, time: $0.time)
                    }
                } catch let error as CoderAPIError where [400, 404].contains(error.status) {
                    entries = []
                } catch let error as FleetError where error.kind == .unavailable {
                    entries = []
                } catch {
                    throw FleetError.coder(error, doing: "read the conversation of agent '\(name)'")
                }
                break
            }
            do {
                source = "tasks_api"
                entries = try await coder.taskLogs(generation, owner: workspace.ownerName, id: await taskID(workspace)).logs.map {
                    LogEntry(id: $0.id, type: $0.type.rawValue, content: $0.content, time: $0.time)
                }
                break
            } catch let error as CoderAPIError where error.status == 404 && error.message == "Route not found." {
                generation = await deployment.demote(from: generation)
                source = "agentapi"
            } catch let error as CoderAPIError where [400, 404, 409].contains(error.status) {
                // e.g. 400 "Task is not configured with a sidebar app.": no conversation to show.
                logger.debug("no log for \(name): \(error.coderMessage)")
                entries = []
                break
            } catch {
                throw FleetError.coder(error, doing: "read the conversation of agent '\(name)'")
            }
        }
        entries.sort { $0.time == $1.time ? $0.id > $1.id : $0.time > $1.time }
        var result = Page(agentName: name, all: entries, page: page, pageSize: pageSize)
        // Terminal screens can be long; keep a page well inside MCP clients' output limits.
        for index in result.items.indices where result.items[index].content.count > Self.maxLogEntryCharacters {
            let content = result.items[index].content
            result.items[index].content = String(content.prefix(Self.maxLogEntryCharacters)) + "\n… [\(content.count - Self.maxLogEntryCharacters) more characters truncated]"
        }
        return (result, source)
    }

    /// The longest log entry `show_agent_log` returns in full.
    public static let maxLogEntryCharacters = 4000

    func validatePage(_ page: Int, _ pageSize: Int) throws { try validatePage(pageSize: pageSize, page) }

    func validatePage(pageSize: Int, _ page: Int) throws {
        guard page >= 1 else { throw FleetError(.invalidArgument, "page must be 1 or more (pages are 1-indexed); got \(page).") }
        guard (1...100).contains(pageSize) else { throw FleetError(.invalidArgument, "page_size must be between 1 and 100; got \(pageSize).") }
    }

    // MARK: - Wait

    /// Waits until the agent's status changes or settles (`until`: `change`, `settled`, or a status name),
    /// never longer than the configured maximum. Polls one workspace per interval.
    public func waitForAgent(_ input: String, until: String?, timeout: Duration?,
                             progress: @escaping @Sendable (Double, Double, String) async -> Void = { _, _, _ in }) async throws -> WaitResult {
        let goal = (until ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        var targets: Set<AgentStatus>?
        switch goal {
        case "", "change", "changed", "settled", "done":
            targets = nil
        default:
            guard let set = AgentStatus.matching(filter: goal) else {
                throw FleetError(.invalidArgument, "Unknown until '\(goal)'. Use change, settled, or a status: \(AgentStatus.filterVocabulary.joined(separator: ", ")).")
            }
            targets = set
        }
        let limit = min(timeout ?? configuration.maxWait, configuration.maxWait)
        guard limit > .zero else { throw FleetError(.invalidArgument, "timeout_seconds must be positive.") }
        let first = try await resolveAgent(input)
        let name = naming.agentName(ofWorkspace: first.name) ?? first.name
        let initial = await refine(StatusModel.derive(first), first)
        let seenReports = Set(AgentApps.reports(in: first).map(\.id))
        let started = ContinuousClock.now
        func satisfied(_ status: AgentStatus) -> Bool {
            if let targets { return targets.contains(status) }
            if goal == "settled" || goal == "done" { return status.isSettled }
            return status != initial.status
        }
        var workspace = first
        var derived = initial
        var timedOut = false
        while !satisfied(derived.status) {
            let elapsed = ContinuousClock.now - started
            if elapsed >= limit { timedOut = true; break }
            await progress(elapsed.seconds, limit.seconds, "agent '\(name)' is \(derived.status.rawValue)" + (derived.report.map { ": \($0.message)" } ?? ""))
            try await Task.sleep(for: min(configuration.pollInterval, limit - elapsed))
            do {
                workspace = try await coder.workspace(id: first.id, as: WorkspaceView.self)
            } catch let error as CoderAPIError where error.status == 410 || error.status == 404 {
                derived = DerivedStatus(status: .deleted, reason: "the workspace is gone", report: nil)
                break
            } catch {
                throw FleetError.coder(error, doing: "read agent '\(name)'")
            }
            derived = await refine(StatusModel.derive(workspace), workspace)
        }
        let fresh = AgentApps.reports(in: workspace).filter { !seenReports.contains($0.id) }.reversed().map(HistoryEntry.init)
        return WaitResult(agent: name, status: derived.status, previousStatus: initial.status, changed: derived.status != initial.status,
                          timedOut: timedOut, waitedSeconds: ((ContinuousClock.now - started).seconds * 10).rounded() / 10,
                          lastTask: derived.report?.message ?? workspace.latestAppStatus?.message,
                          pullRequest: PullRequest.newest(in: AgentApps.reports(in: workspace))?.url,
                          newReports: Array(fresh), statusReason: derived.reason)
    }
}

extension ProvisionerJobStatus {
    var isTerminal: Bool { [.succeeded, .failed, .canceled].contains(self) }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
