import CoderAPI
import Foundation

/// The Coder release line the sandbox emulates; it decides which tasks API exists and what it offers.
public enum SandboxVersion: String, Sendable, CaseIterable {
    /// Tasks API only at `/api/experimental/tasks`, task id = workspace id (recorded traffic: v2.27.1).
    case v2_27 = "2.27"
    /// Tasks with their own ids at `/api/experimental/tasks`; `{task}` is a UUID only; `AI Prompt` always filled.
    case v2_28 = "2.28"
    /// Tasks at `/api/v2/tasks` too, `{task}` by id or name, `PATCH …/input`; `AI Prompt` filled only when declared.
    case v2_29 = "2.29"
    /// As 2.29, with `task_id` on workspaces; templates read the prompt from `data.coder_task` (no `AI Prompt`).
    case v2_30 = "2.30"
    /// Tasks API at `/api/v2/tasks` and `/api/experimental/tasks`, with pause, resume and input updates (v2.31.1+).
    case v2_31 = "2.31"
    /// As 2.31 (the swagger in `shared/coder-api` is v2.35.1).
    case v2_35 = "2.35"
    /// The last release with the Tasks API by default.
    case v2_36 = "2.36"
    /// No tasks API: agents are reached through AgentAPI behind the app proxy.
    case v2_37 = "2.37"
    /// Tasks removed ("requests to the Tasks API fail"): the tasks routes answer 404 `Route not found.` as on 2.37.
    case v2_38 = "2.38"

    /// What `/api/v2/buildinfo` reports.
    public var buildVersion: String {
        switch self {
        case .v2_27: "v2.27.1+230b55b"
        case .v2_28: "v2.28.0+sandbox"
        case .v2_29: "v2.29.0+sandbox"
        case .v2_30: "v2.30.0+sandbox"
        case .v2_31: "v2.31.1+sandbox"
        case .v2_35: "v2.35.1+8b44bd6"
        case .v2_36: "v2.36.0+sandbox"
        case .v2_37: "v2.37.0+sandbox"
        case .v2_38: "v2.38.5+sandbox"
        }
    }

    /// The versions, for help texts: `2.27, 2.31, 2.35, 2.36, 2.37 or 2.38`.
    public static var list: String {
        let names = allCases.map(\.rawValue)
        return names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
    }

    /// What this release line can do: the one table fleet-mcp reads too (``CoderCapabilities/table``).
    public var capabilities: CoderCapabilities { CoderCapabilities.forVersion(buildVersion) ?? .agentAPIOnly }

    var hasExperimentalTasks: Bool {
        capabilities.tasksAPI == .experimental || (capabilities.tasksAPI == .stable && capabilities.experimentalTasksServed)
    }
    var hasStableTasks: Bool { capabilities.tasksAPI == .stable }
    /// `POST …/pause|resume`, `PATCH …/input` and log snapshots.
    var hasPause: Bool { capabilities.pauseRoutes }
    /// 2.26–2.27: a task is its workspace (same id), and `status` is the workspace status.
    var tasksAreWorkspaces: Bool { capabilities.tasksAPI != .none && !capabilities.tasksHaveOwnIDs }
}

/// How to run the sandbox.
public struct SandboxOptions: Sendable {
    public var host: String
    public var port: Int
    /// The session token clients must send; random when nil.
    public var token: String?
    public var seed: SandboxSeed
    public var coderVersion: SandboxVersion
    /// Added to every API response, to imitate a remote deployment.
    public var latency: Duration
    /// Multiplies every simulated delay (builds, agent start-up, agent turns): 0.1 runs ten times faster than
    /// life-like, 0 as fast as possible.
    public var timeScale: Double
    /// Pause a task whose agent has been idle this long (build reason `task_auto_pause`), as Coder's idle
    /// timeout does; only on versions with pause (2.31–2.36). Real time, not scaled by ``timeScale``.
    public var idlePause: Duration?
    /// Faults to inject (see ``FaultPlan``); none when nil.
    public var faults: FaultPlan?
    /// Also write every request, as one JSON line (`{"method":…,"path":…,"query":…}`), to this file.
    public var requestLogFile: URL?
    /// How many of the newest requests ``RunningSandbox/requestLog`` keeps in memory (0: none).
    public var requestLogLimit: Int

    /// The old name of ``timeScale``.
    @available(*, deprecated, renamed: "timeScale")
    public var agentSpeed: Double {
        get { timeScale }
        set { timeScale = newValue }
    }

    public init(
        host: String = "127.0.0.1", port: Int = 0, token: String? = nil, seed: SandboxSeed = .default,
        coderVersion: SandboxVersion = .v2_35, latency: Duration = .zero, timeScale: Double = 1,
        idlePause: Duration? = nil, faults: FaultPlan? = nil, requestLogFile: URL? = nil, requestLogLimit: Int = 100_000
    ) {
        self.host = host
        self.port = port
        self.token = token
        self.seed = seed
        self.coderVersion = coderVersion
        self.latency = latency
        self.timeScale = timeScale
        self.idlePause = idlePause
        self.faults = faults
        self.requestLogFile = requestLogFile
        self.requestLogLimit = requestLogLimit
    }

    /// The old spelling, with `agentSpeed` for ``timeScale``.
    @available(*, deprecated, renamed: "init(host:port:token:seed:coderVersion:latency:timeScale:idlePause:faults:requestLogFile:requestLogLimit:)")
    public init(
        host: String = "127.0.0.1", port: Int = 0, token: String? = nil, seed: SandboxSeed = .default,
        coderVersion: SandboxVersion = .v2_35, latency: Duration = .zero, agentSpeed: Double
    ) {
        self.init(host: host, port: port, token: token, seed: seed, coderVersion: coderVersion, latency: latency, timeScale: agentSpeed)
    }
}
