import CoderAPI
import Logging

/// What the deployment can do (``CoderCapabilities``), detected once (lazily) from `/api/v2/buildinfo` and, for
/// versions that do not say (dev builds), by probing. A tasks route that turns out to be missing demotes the row
/// for every later call (`demote(from:)`), so a deployment that loses its tasks API costs one failed request.
public actor DeploymentDetector {
    private let coder: CoderClient
    private let pinned: TasksAPIGeneration?
    private var detected: CoderCapabilities?
    private var version: String?
    private var inFlight: Task<(CoderCapabilities, String?), any Error>?
    private let logger: Logger

    public init(coder: CoderClient, pinned: TasksAPIGeneration? = nil, logger: Logger = Logger(label: "fleet-mcp")) {
        self.coder = coder
        self.pinned = pinned
        self.logger = logger
    }

    /// The Coder version, if detection ran.
    public var coderVersion: String? { version }

    /// The capabilities in force. A pinned tasks API (`--tasks-api`) is taken without asking Coder: the oldest
    /// row of the experimental API (a task is its workspace), the newest of the others.
    public func capabilities() async throws -> CoderCapabilities {
        if let detected { return detected }
        if let pinned {
            let row = pinned == .experimental ? CoderCapabilities.table.first { $0.tasksAPI == .experimental } : nil
            return row ?? CoderCapabilities.probed(pinned)
        }
        if let inFlight { return try await inFlight.value.0 }
        let coder = self.coder
        let task = Task { () async throws -> (CoderCapabilities, String?) in
            let info = try await coder.buildInfo()
            if let row = CoderCapabilities.forVersion(info.version) { return (row, info.version) }
            for candidate in [TasksAPIGeneration.stable, .experimental] {
                do {
                    _ = try await coder.tasks(candidate, query: "owner:me")
                    return (CoderCapabilities.probed(candidate), info.version)
                } catch let error as CoderAPIError where error.status == 404 || error.status == 405 {
                    continue
                } catch let error as CoderAPIError where error.status < 500 {
                    return (CoderCapabilities.probed(candidate), info.version)
                }
            }
            return (CoderCapabilities.probed(.none), info.version)
        }
        inFlight = task
        defer { inFlight = nil }
        let (row, version) = try await task.value
        self.detected = row
        self.version = version
        logger.info("Coder \(version ?? "?"): \(row.label), tasks API \(row.tasksAPI.rawValue)")
        return row
    }

    public func generation() async throws -> TasksAPIGeneration { try await capabilities().tasksAPI }

    /// The channel to reach agents with, for the capabilities in force.
    public func channel() async -> any AgentChannel {
        channel(for: (try? await capabilities()) ?? .agentAPIOnly)
    }

    /// The channel of a capabilities row.
    public func channel(for row: CoderCapabilities) -> any AgentChannel {
        switch row.tasksAPI {
        case .stable: StableTasksChannel(coder: coder, canPause: row.pauseRoutes)
        case .experimental: ExperimentalTasksChannel(coder: coder, tasksHaveOwnIDs: row.tasksHaveOwnIDs)
        case .none: AgentAPIChannel(coder: coder)
        }
    }

    /// Whether a workspace without `task_id` is known to have no task record.
    public func workspacesLinkTasks() -> Bool { detected?.workspacesLinkTasks ?? false }

    /// Called when a tasks route is missing: from now on, use the next older way to reach agents.
    public func demote(from generation: TasksAPIGeneration) async -> CoderCapabilities {
        let current = (try? await capabilities()) ?? .agentAPIOnly
        guard current.tasksAPI == generation else { return current }
        let next = current.demoted
        detected = next
        logger.warning("tasks API \(generation.rawValue) is missing on this deployment; using \(next.tasksAPI.rawValue) from now on")
        return next
    }
}
