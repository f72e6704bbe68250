import CoderAPI
import Foundation
import Logging
import Synchronization

/// Moves builds through their job states, brings agents up, and plays Claude Code in each workspace:
/// reporting through the app-status endpoint and keeping the AgentAPI conversation.
final class Simulator: Sendable {
    let store: SandboxStore
    /// Multiplies every simulated delay.
    let timeScale: Double
    let seed: UInt64
    /// Idle agents of tasks are paused after this long (real time), on versions with pause.
    let idlePause: Duration?
    let logger: Logger
    /// The simulated activities under way, by key; closed at shutdown, after which nothing new starts.
    private let running = Mutex<(tasks: [String: (id: UUID, task: Task<Void, Never>)], closed: Bool)>(([:], false))

    init(store: SandboxStore, timeScale: Double, seed: UInt64, idlePause: Duration? = nil, logger: Logger) {
        self.store = store
        self.timeScale = max(0, timeScale)
        self.seed = seed
        self.idlePause = store.version.hasPause ? idlePause : nil
        self.logger = logger
    }

    func sleep(_ seconds: Double) async throws {
        let scaled = seconds * timeScale
        if scaled > 0 { try await Task.sleep(for: .milliseconds(Int64(scaled * 1000))) } else { await Task.yield() }
    }

    /// Stops every simulated activity (sandbox shutdown).
    func shutdown() {
        let tasks = running.withLock { state in
            state.closed = true
            defer { state.tasks.removeAll() }
            return state.tasks.values.map(\.task)
        }
        for task in tasks { task.cancel() }
    }

    /// Starts `body` under `key` (cancelling what ran there), unless the simulator is shut down; the entry goes
    /// when the task ends, so finished work is not kept.
    private func track(_ key: String, _ body: @escaping @Sendable () async -> Void) {
        let id = UUID()
        running.withLock { state in
            guard !state.closed else { return }
            state.tasks[key]?.task.cancel()
            let task = Task { [self] in
                await body()
                self.running.withLock { state in
                    if state.tasks[key]?.id == id { state.tasks.removeValue(forKey: key) }
                }
            }
            state.tasks[key] = (id, task)
        }
    }

    private func cancel(_ key: String) {
        running.withLock { $0.tasks.removeValue(forKey: key) }?.task.cancel()
    }

    // MARK: - Builds

    /// Runs a queued build to completion.
    func run(build buildID: String, of workspaceID: String) {
        track("build:\(workspaceID)") { [self] in
            do { try await runBuild(buildID, workspaceID) } catch { logger.debug("build \(buildID) interrupted: \(error)") }
        }
    }

    private func runBuild(_ buildID: String, _ workspaceID: String) async throws {
        guard let workspace = await store.workspaceIfPresent(workspaceID), let build = workspace.builds.first(where: { $0.id == buildID }) else {
            return
        }
        cancel("idle:\(workspaceID)")
        if build.transition != .start { cancel("turn:\(workspaceID)") }
        try await sleep(0.4)
        _ = await store.updateBuild(workspaceID, buildID: buildID) { $0.startedAt = Date() }
        try await sleep(build.transition == .start ? 1.6 : 0.8)
        let fail = build.transition == .start && workspace.prompt.lowercased().contains("[build-fail]") && build.number == 1
        let agentID = await store.newID()
        _ = await store.updateBuild(workspaceID, buildID: buildID) { build in
            build.completedAt = Date()
            if fail { build.error = "terraform apply: docker_container.workspace: unable to pull image: manifest unknown" }
            if build.transition == .start && !fail { build.agentID = agentID }
        }
        switch build.transition {
        case .start where !fail:
            try await bringUp(workspaceID, firstStart: build.number == 1)
        case .stop:
            await store.update(workspaceID) {
                $0.agent = nil
                $0.conversation.running = false
                $0.crashed = false
            }
        case .delete:
            await store.update(workspaceID) {
                $0.agent = nil
                $0.deleted = true
                $0.conversation.running = false
            }
            await store.deleteTasks(ofWorkspace: workspaceID)
        default:
            break
        }
    }

    private func bringUp(_ workspaceID: String, firstStart: Bool) async throws {
        let created = Date()
        await store.update(workspaceID) {
            $0.agent = AgentRuntime(createdAt: created, updatedAt: created)
            $0.crashed = false
        }
        try await sleep(0.5)
        await store.update(workspaceID) { workspace in
            let now = Date()
            workspace.agent?.status = .connected
            workspace.agent?.firstConnectedAt = now
            workspace.agent?.lastConnectedAt = now
            workspace.agent?.lifecycle = .starting
            workspace.agent?.startedAt = now
            workspace.agent?.updatedAt = now
        }
        try await sleep(1.2)
        await store.update(workspaceID) { workspace in
            let now = Date()
            workspace.agent?.lifecycle = .ready
            workspace.agent?.readyAt = now
            workspace.agent?.appHealth = .healthy
            workspace.agent?.updatedAt = now
            if workspace.conversation.messages.isEmpty {
                workspace.conversation.messages.append(AgentAPIMessage(id: 0, content: Simulator.welcome, role: .agent, time: now))
            }
        }
        guard let workspace = await store.workspaceIfPresent(workspaceID) else { return }
        if firstStart, !workspace.prompt.trimmingCharacters(in: .whitespaces).isEmpty {
            await startTurn(workspaceID, prompt: workspace.prompt)
        } else if !firstStart, let input = await store.takePendingInput(workspaceID: workspaceID) {
            // The prompt was changed while the task was paused (`PATCH …/input`): the agent starts on it.
            await startTurn(workspaceID, prompt: input)
        } else {
            // Coder's screen watcher reports `idle` once AgentAPI is stable.
            try await sleep(0.5)
            try await report(workspace.agentToken, .idle, "")
            scheduleIdlePause(workspaceID)
        }
    }

    static let welcome = """
        ╭─ Claude Code ─────────────────────────────────────╮
        │                  Welcome back!                    │
        │            Sonnet 4.5 · Claude API                │
        │               /home/coder/project                 │
        ╰───────────────────────────────────────────────────╯
        """

    // MARK: - Claude Code turns

    /// Starts a turn (the initial prompt, or input through the tasks API or AgentAPI). Like AgentAPI's
    /// `POST /message`, it returns once the agent has taken the input: AgentAPI reports `running` from then on.
    func startTurn(_ workspaceID: String, prompt: String) async {
        cancel("idle:\(workspaceID)")
        await store.update(workspaceID) { workspace in
            workspace.conversation.running = true
            workspace.conversation.messages.append(
                AgentAPIMessage(
                    id: workspace.conversation.messages.count, content: prompt, role: .user,
                    time: Date()))
        }
        track("turn:\(workspaceID)") { [self] in
            do { try await runTurn(workspaceID, prompt: prompt) } catch { logger.debug("turn in \(workspaceID) ended: \(error)") }
        }
    }

    private func runTurn(_ workspaceID: String, prompt: String) async throws {
        let plan = TurnPlanner.plan(prompt: prompt, seed: seed)
        guard let token = await store.agentToken(workspaceID: workspaceID) else { return }
        let stepDelay = plan.slow ? 30.0 : 1.3
        try await sleep(0.6)
        for step in plan.steps {
            try await report(token, .working, step)
            try await sleep(stepDelay)
        }
        var text = ""
        switch plan.outcome {
        case .complete(let summary, let pullRequest):
            var uri = ""
            if pullRequest, let repository = await store.repository(ofWorkspace: workspaceID) {
                uri = "https://github.com/\(repository)/pull/\(await store.nextPullRequest(repository: repository))"
            }
            try await report(token, .complete, summary, uri: uri)
            text = "● \(summary)" + (uri.isEmpty ? "" : "\n  Pull request: \(uri)")
        case .idle(let summary):
            try await report(token, .idle, summary)
            text = "● \(summary)"
        case .needsInput(let question):
            try await report(token, .failure, question)
            text = "● \(question)"
        case .crash:
            text = "✗ Claude Code exited unexpectedly (exit status 1)"
            await store.update(workspaceID) { $0.crashed = true }
        }
        await store.update(workspaceID) { workspace in
            workspace.conversation.messages.append(
                AgentAPIMessage(
                    id: workspace.conversation.messages.count, content: text, role: .agent,
                    time: Date()))
            workspace.conversation.running = false
        }
        scheduleIdlePause(workspaceID)
    }

    private func report(_ token: String, _ state: AppStatusState, _ message: String, uri: String = "") async throws {
        try Task.checkCancellation()
        try await store.patchAppStatus(agentToken: token, PatchAppStatus(appSlug: "ccw", state: state, message: message, uri: uri))
    }

    /// ESC: stops the current turn; Claude Code reports idle.
    func interrupt(_ workspaceID: String) async {
        guard await store.workspaceIfPresent(workspaceID)?.conversation.running == true else { return }
        cancel("turn:\(workspaceID)")
        guard let token = await store.agentToken(workspaceID: workspaceID) else { return }
        await store.update(workspaceID) { workspace in
            workspace.conversation.running = false
            workspace.conversation.messages.append(
                AgentAPIMessage(
                    id: workspace.conversation.messages.count,
                    content: "⎿ Interrupted by user", role: .agent, time: Date()))
        }
        try? await store.patchAppStatus(
            agentToken: token,
            PatchAppStatus(appSlug: "ccw", state: .idle, message: "Interrupted; waiting for instructions"))
        scheduleIdlePause(workspaceID)
    }

    // MARK: - Idle timeout

    /// Once the agent has been idle for `idlePause`, pauses its task (build reason `task_auto_pause`), as
    /// Coder's lifecycle executor does when a task workspace reaches its deadline. Any new turn or build
    /// cancels the timer.
    private func scheduleIdlePause(_ workspaceID: String) {
        guard let idlePause else { return }
        track("idle:\(workspaceID)") { [self] in
            do {
                try await Task.sleep(for: idlePause)
                guard let build = try await store.autoPause(workspaceID) else { return }
                logger.debug("auto-paused idle task workspace \(workspaceID)")
                run(build: build.id, of: workspaceID)
            } catch {
                logger.debug("idle pause of \(workspaceID) not taken: \(error)")
            }
        }
    }
}
