import CoderAPI
import Foundation
import Logging

/// Claude Code agents in Coder workspaces: the one place that decides how to reach an agent — which tasks API
/// (``CoderCapabilities``), when to fall back to AgentAPI through Coder's app proxy, and when a missing route
/// demotes the deployment for every later call.
public struct CoderWorkspaceBackend: AgentBackend {
    public let coder: CoderClient
    public let deployment: DeploymentDetector
    let logger: Logger
    /// Whether a rich parameter carries the prompt (`FleetConfiguration.isPromptParameter`).
    let isPromptParameter: @Sendable (String) -> Bool

    public init(
        coder: CoderClient, pinned: TasksAPIGeneration? = nil, isPromptParameter: @escaping @Sendable (String) -> Bool, logger: Logger
    ) {
        self.coder = coder
        self.isPromptParameter = isPromptParameter
        self.deployment = DeploymentDetector(coder: coder, pinned: pinned, logger: logger)
        self.logger = logger
    }

    /// AgentAPI through the app proxy: the way to interrupt a turn or ask whether one runs, on every deployment.
    var agentAPI: AgentAPIChannel { AgentAPIChannel(coder: coder) }

    public func route() async -> String { ((try? await deployment.generation()) ?? .none).rawValue }

    public func create(_ request: AgentCreation) async throws -> WorkspaceView {
        try await onChannel(for: nil) { try await $0.create(request) }
    }

    public func send(_ text: String, to agent: AgentRef, knownIdle: Bool) async throws {
        try await onChannel(for: agent) { channel in
            if knownIdle, let direct = channel as? AgentAPIChannel { return try await direct.deliver(text, to: agent) }
            try await channel.send(text, to: agent)
        }
    }

    public func interrupt(_ agent: AgentRef) async throws { try await agentAPI.interrupt(agent) }
    public func isWorking(_ agent: AgentRef) async throws -> Bool { try await agentAPI.isWorking(agent) }
    public func latestInput(of agent: AgentRef) async throws -> String? { try await agentAPI.latestInput(of: agent) }

    public func conversation(of agent: AgentRef) async throws -> Conversation {
        try await onChannel(for: agent) { try await $0.conversation(of: agent) }
    }

    /// The task's prompt, else the build's prompt parameter (`AI Prompt`, as `isPromptParameter` says).
    public func initialPrompt(of agent: AgentRef) async throws -> String? {
        if let fromTask = try? await onChannel(for: agent, { try await $0.initialPrompt(of: agent) }) { return fromTask }
        let path = CoderClient.path("/api/v2/workspacebuilds", agent.workspace.latestBuild.id, "parameters")
        return try await coder.get(path, as: [WorkspaceBuildParameter].self).first { isPromptParameter($0.name) }?.value
    }

    public func pause(_ agent: AgentRef) async throws -> LifecycleChange { try await onChannel(for: agent) { try await $0.pause(agent) } }
    public func resume(_ agent: AgentRef) async throws -> LifecycleChange { try await onChannel(for: agent) { try await $0.resume(agent) } }

    /// What asking for one of the caller's workspaces by its exact name told.
    public enum Lookup: Sendable {
        case found(WorkspaceView)
        /// Coder answered that there is no such workspace.
        case missing
        /// The route is missing (an older Coder, a proxy) or the answer was odd: list to be sure.
        case unanswered(any Error)
    }

    /// One of the caller's workspaces by its exact name: one request. A rejected credential, an unreachable or
    /// too slow Coder and a cancellation throw (asking again by another route would only double the wait).
    public func lookup(workspaceName: String) async throws -> Lookup {
        do {
            return .found(try await coder.workspace(owner: "me", name: workspaceName, as: WorkspaceView.self))
        } catch let error as CoderAPIError where error.status == 404 && !error.isRouteMissing {
            return .missing
        } catch let error as CoderAPIError where error.status == 401 {
            throw error
        } catch let error as TransportError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            return .unanswered(error)
        }
    }

    /// Runs `body` on the channel in force for `agent` (nil: no agent yet, as when creating one).
    ///
    /// - A missing tasks route (404 `Route not found.`, 405) demotes the deployment for every later call and
    ///   retries on the next older channel: nothing was written, so the retry is safe.
    /// - An agent without a task record (a workspace made outside the tasks API) is reached through AgentAPI:
    ///   directly where workspaces link their task, else after the tasks API answers 404 for it.
    func onChannel<T: Sendable>(for agent: AgentRef?, _ body: (any AgentChannel) async throws -> T) async throws -> T {
        var channel = await deployment.channel()
        if let agent, channel.generation != .none, agent.workspace.taskID == nil, await deployment.workspacesLinkTasks() {
            channel = agentAPI
        }
        while true {
            do {
                return try await body(channel)
            } catch let error as CoderAPIError where error.isRouteMissing && channel.generation != .none {
                channel = await deployment.channel(for: await deployment.demote(from: channel.generation))
            } catch let error as CoderAPIError where error.status == 404 && agent != nil && channel.generation != .none {
                logger.debug("no task record for \(agent?.name ?? "?") (\(error.coderMessage)); using AgentAPI")
                channel = agentAPI
            }
        }
    }
}
