import CoderAPI
import Logging

/// Which tasks API a deployment offers, detected once (lazily) from `/api/v2/buildinfo` and, for versions that
/// do not say (dev builds), by probing. A tasks route that turns out to be missing demotes the choice for every
/// later call (`demote(from:)`), so a deployment that loses its tasks API costs one failed request, not one a call.
public actor DeploymentDetector {
    private let coder: CoderClient
    private let pinned: TasksAPIGeneration?
    private var detected: TasksAPIGeneration?
    private var version: String?
    private var inFlight: Task<(TasksAPIGeneration, String?), any Error>?
    private let logger: Logger

    public init(coder: CoderClient, pinned: TasksAPIGeneration? = nil, logger: Logger = Logger(label: "fleet-mcp")) {
        self.coder = coder
        self.pinned = pinned
        self.logger = logger
    }

    /// The Coder version, if detection ran.
    public var coderVersion: String? { version }

    public func generation() async throws -> TasksAPIGeneration {
        if let detected { return detected }
        if let pinned { return pinned }
        if let inFlight { return try await inFlight.value.0 }
        let coder = self.coder
        let task = Task { () async throws -> (TasksAPIGeneration, String?) in
            let info = try await coder.buildInfo()
            if let generation = TasksAPIGeneration.forVersion(info.version) { return (generation, info.version) }
            for candidate in [TasksAPIGeneration.stable, .experimental] {
                do {
                    _ = try await coder.tasks(candidate, query: "owner:me")
                    return (candidate, info.version)
                } catch let error as CoderAPIError where error.status == 404 || error.status == 405 {
                    continue
                } catch let error as CoderAPIError where error.status < 500 {
                    return (candidate, info.version)
                }
            }
            return (TasksAPIGeneration.none, info.version)
        }
        inFlight = task
        defer { inFlight = nil }
        let (generation, version) = try await task.value
        self.detected = generation
        self.version = version
        logger.info("Coder \(version ?? "?"): tasks API \(generation.rawValue)")
        return generation
    }

    /// The channel to reach agents with, for the generation in force.
    public func channel() async -> any AgentChannel {
        channel(for: (try? await generation()) ?? .none)
    }

    /// The channel of a given generation.
    public func channel(for generation: TasksAPIGeneration) -> any AgentChannel {
        switch generation {
        case .stable: StableTasksChannel(coder: coder, canPause: version.flatMap { TasksAPIGeneration.tasksPause(version: $0) })
        case .experimental: ExperimentalTasksChannel(coder: coder, tasksHaveOwnIDs: tasksHaveOwnIDs(generation))
        case .none: AgentAPIChannel(coder: coder)
        }
    }

    /// Whether tasks have their own ids and names (Coder 2.28+), so agents are created and addressed as tasks.
    /// On 2.26–2.27, and when the generation is pinned without a known version, a task is its workspace.
    private func tasksHaveOwnIDs(_ generation: TasksAPIGeneration) -> Bool {
        if generation == .stable { return true }
        return version.flatMap { TasksAPIGeneration.tasksHaveOwnIDs(version: $0) } ?? false
    }

    /// Whether a workspace without `task_id` is known to have no task record (Coder 2.30+ links tasks).
    public func workspacesLinkTasks() -> Bool {
        version.flatMap { TasksAPIGeneration.workspacesLinkTasks(version: $0) } ?? false
    }

    /// Called when a tasks route is missing: from now on, use the next older way to reach agents.
    public func demote(from generation: TasksAPIGeneration) -> TasksAPIGeneration {
        let next: TasksAPIGeneration = generation == .stable ? .experimental : .none
        let current = detected ?? pinned
        if current == generation {
            detected = next
            logger.warning("tasks API \(generation.rawValue) is missing on this deployment; using \(next.rawValue) from now on")
        }
        return detected ?? next
    }
}
