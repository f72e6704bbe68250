import Foundation

/// The Coder release line the sandbox emulates; it decides which tasks API exists.
public enum SandboxVersion: String, Sendable, CaseIterable {
    /// Tasks API only at `/api/experimental/tasks`, task id = workspace id (recorded traffic: v2.27.1).
    case v2_27 = "2.27"
    /// Tasks API at `/api/v2/tasks` and `/api/experimental/tasks`, tasks with their own ids.
    case v2_35 = "2.35"
    /// No tasks API: agents are reached through AgentAPI behind the app proxy.
    case v2_37 = "2.37"

    /// What `/api/v2/buildinfo` reports.
    public var buildVersion: String {
        switch self {
        case .v2_27: "v2.27.1+230b55b"
        case .v2_35: "v2.35.1+8b44bd6"
        case .v2_37: "v2.37.0+sandbox"
        }
    }

    var hasExperimentalTasks: Bool { self != .v2_37 }
    var hasStableTasks: Bool { self == .v2_35 }
    /// 2.26–2.27: a task is its workspace (same id), and `status` is the workspace status.
    var tasksAreWorkspaces: Bool { self == .v2_27 }
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
    /// Scales every simulated delay: 0.1 runs ten times faster than life-like.
    public var agentSpeed: Double

    public init(host: String = "127.0.0.1", port: Int = 0, token: String? = nil, seed: SandboxSeed = .default,
                coderVersion: SandboxVersion = .v2_35, latency: Duration = .zero, agentSpeed: Double = 1) {
        self.host = host
        self.port = port
        self.token = token
        self.seed = seed
        self.coderVersion = coderVersion
        self.latency = latency
        self.agentSpeed = agentSpeed
    }
}
