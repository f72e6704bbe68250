import CoderAPI
import Foundation

/// Pausing and resuming agents (Coder 2.31+ has routes for both; elsewhere they are stop and start builds), and
/// delivering a task to a paused agent the way `coder task send` does: resume, wait until it takes input, send.
extension FleetService {
    /// Pauses a running agent. An agent already paused is a success.
    public func pauseAgent(_ input: String) async throws -> ActionResult {
        let agent = try await resolveAgent(input)
        let derived = StatusModel.derive(agent.workspace)
        switch derived.status {
        case .paused:
            return ActionResult(
                agent: agent.name, status: .paused, message: "Agent '\(agent.name)' is already \(derived.reason ?? "paused").",
                workspaceID: agent.workspace.id, buildID: agent.workspace.latestBuild.id)
        case .busy, .idle, .complete, .needsInput,
            .failed where agent.workspace.latestBuild.status == .running:
            break
        default:
            throw FleetError(
                .wrongState,
                "Agent '\(agent.name)' is \(derived.status.rawValue), not running; only a running agent can be paused."
                    + (derived.status == .stopped ? " It is already stopped: resume_agent starts it." : " Call wait_for_agent first."))
        }
        let change: LifecycleChange
        do {
            change = try await backend.pause(agent)
        } catch let error as CoderAPIError where error.status == 409 {
            throw FleetError(.conflict, "Agent '\(agent.name)' cannot be paused now (Coder: \(error.coderMessage)); wait_for_agent, then try again.")
        } catch {
            throw FleetError.coder(error, doing: "pause agent '\(agent.name)'")
        }
        let how =
            change.viaTasksAPI
            ? "Coder keeps its conversation; resume_agent, or start_agent_task with new work, resumes it."
            : "This deployment has no task pause, so its workspace is stopped instead (a stop build); resume_agent starts it again."
        return ActionResult(
            agent: agent.name, status: change.build.status == .stopped ? .paused : .stopping,
            message: "Agent '\(agent.name)' is pausing (build \(change.build.buildNumber)). " + how,
            workspaceID: agent.workspace.id, buildID: change.build.id)
    }

    /// Resumes a paused or stopped agent. An agent already running is a success.
    public func resumeAgent(_ input: String) async throws -> ActionResult {
        let agent = try await resolveAgent(input)
        let status = StatusModel.derive(agent.workspace).status
        if agent.workspace.latestBuild.status == .running || [.starting, .pending].contains(status) {
            return ActionResult(
                agent: agent.name, status: status,
                message: "Agent '\(agent.name)' is already \(status == .pending ? "starting" : "running") (\(status.rawValue)).",
                workspaceID: agent.workspace.id, buildID: agent.workspace.latestBuild.id)
        }
        guard [.paused, .stopped, .canceled, .failed].contains(status) else {
            throw FleetError(
                .wrongState, "Agent '\(agent.name)' is \(status.rawValue); wait_for_agent until it is paused or stopped, then resume it.")
        }
        let change = try await resume(agent)
        return ActionResult(
            agent: agent.name, status: .starting,
            message: "Agent '\(agent.name)' is resuming (build \(change.build.buildNumber)"
                + (change.viaTasksAPI ? "" : ", a start build: this deployment has no task resume") + "). Call wait_for_agent to follow it.",
            workspaceID: agent.workspace.id, buildID: change.build.id)
    }

    func resume(_ agent: AgentRef) async throws -> LifecycleChange {
        do {
            return try await backend.resume(agent)
        } catch let error as CoderAPIError where error.status == 409 {
            throw FleetError(.conflict, "Agent '\(agent.name)' cannot be resumed now (Coder: \(error.coderMessage)); wait_for_agent, then try again.")
        } catch {
            throw FleetError.coder(error, doing: "resume agent '\(agent.name)'")
        }
    }

    /// Resumes a paused agent, waits (bounded by the configured wait and the call's deadline) until it takes
    /// input, then sends the task once. If it is not ready in time, nothing is sent and the answer says so.
    func resumeAndSend(_ text: String, to agent: AgentRef, progress: @Sendable (Double, String) async -> Void) async throws -> ActionResult {
        var change = try await resume(agent)
        var resumes = 1
        let started = ContinuousClock.now
        var limit = configuration.maxWait
        if let left = CallDeadline.remaining { limit = min(limit, left - .seconds(2)) }
        var current = agent
        while true {
            let status = await currentStatus(current)
            var refused: FleetError?
            if status.status.acceptsTasks {
                do {
                    try await sendInput(text, to: current, knownIdle: true)
                } catch let error as FleetError where error.kind == .wrongState {
                    // Coder refused the input (the task still resuming, or paused again by an idle timeout), so
                    // nothing was delivered: wait on and send when it is ready.
                    refused = error
                }
                if refused == nil {
                    return ActionResult(
                        agent: agent.name, status: .busy,
                        message: "Agent '\(agent.name)' was paused; it was resumed and the task was sent. Call wait_for_agent to follow it.",
                        workspaceID: agent.workspace.id, buildID: change.build.id, task: Echo.cap(text, 500), delivered: true)
                }
            }
            if [.failed, .stopped, .canceled, .deleted, .deleting].contains(status.status) && ContinuousClock.now - started > .seconds(2) {
                throw FleetError(
                    .wrongState,
                    "Agent '\(agent.name)' did not come back after resuming: it is \(status.status.rawValue)"
                        + (status.reason.map { " (\($0))" } ?? "")
                        + ". The task was not sent; restart_agent, then start_agent_task again.")
            }
            let elapsed = ContinuousClock.now - started
            guard elapsed < limit else {
                return ActionResult(
                    agent: agent.name, status: status.status,
                    message: "Agent '\(agent.name)' was paused and is resuming (\(status.status.rawValue)); it did not take input within "
                        + "\(Int(limit.seconds)) s, so the task was NOT sent. Call wait_for_agent until it is idle, then start_agent_task again."
                        + (refused.map { " Last refusal: \($0.message)" } ?? ""),
                    workspaceID: agent.workspace.id, buildID: change.build.id, task: Echo.cap(text, 500), delivered: false)
            }
            await progress(elapsed.seconds, "resuming agent '\(agent.name)': \(status.status.rawValue)" + (status.reason.map { " (\($0))" } ?? ""))
            try await Task.sleep(for: min(configuration.pollInterval, limit - elapsed))
            do {
                current = AgentRef(workspace: try await coder.workspace(id: agent.workspace.id, as: WorkspaceView.self), name: agent.name)
            } catch {
                throw FleetError.coder(error, doing: "follow agent '\(agent.name)' while it resumes", hint: "The task was not sent.")
            }
            // Paused again after our resume (an idle timeout can strike before the input is sent): resume once more.
            if StatusModel.derive(current.workspace).status == .paused, current.workspace.latestBuild.id != change.build.id {
                guard resumes < 3 else {
                    throw FleetError(
                        .wrongState,
                        "Agent '\(agent.name)' was paused again each time it was resumed (an idle timeout?); the task was not sent. "
                            + "resume_agent, then start_agent_task.")
                }
                change = try await resume(current)
                resumes += 1
            }
        }
    }
}
