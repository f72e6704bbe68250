// Generated once from a list of Coder's enum vocabularies; edit freely.

/// The status of a workspace's latest build (`codersdk.WorkspaceStatus`).
public enum WorkspaceStatus: OpenEnum {
    case pending, starting, running, stopping, stopped, failed, canceling, canceled, deleting, deleted
    case unknown(String)

    public static let knownCases: [WorkspaceStatus] = [
        .pending, .starting, .running, .stopping, .stopped, .failed, .canceling, .canceled, .deleting, .deleted,
    ]

    public var rawValue: String {
        switch self {
        case .pending: "pending"
        case .starting: "starting"
        case .running: "running"
        case .stopping: "stopping"
        case .stopped: "stopped"
        case .failed: "failed"
        case .canceling: "canceling"
        case .canceled: "canceled"
        case .deleting: "deleting"
        case .deleted: "deleted"
        case .unknown(let raw): raw
        }
    }
}

/// What a build does (`codersdk.WorkspaceTransition`).
public enum WorkspaceTransition: OpenEnum {
    case start, stop, delete
    case unknown(String)

    public static let knownCases: [WorkspaceTransition] = [.start, .stop, .delete]

    public var rawValue: String {
        switch self {
        case .start: "start"
        case .stop: "stop"
        case .delete: "delete"
        case .unknown(let raw): raw
        }
    }
}

/// The state of a provisioner job (`codersdk.ProvisionerJobStatus`).
public enum ProvisionerJobStatus: OpenEnum {
    case pending, running, succeeded, canceling, canceled, failed, statusUnknown
    case unknown(String)

    public static let knownCases: [ProvisionerJobStatus] = [.pending, .running, .succeeded, .canceling, .canceled, .failed, .statusUnknown]

    public var rawValue: String {
        switch self {
        case .pending: "pending"
        case .running: "running"
        case .succeeded: "succeeded"
        case .canceling: "canceling"
        case .canceled: "canceled"
        case .failed: "failed"
        case .statusUnknown: "unknown"
        case .unknown(let raw): raw
        }
    }
}

/// Why a build ran (`codersdk.BuildReason`).
public enum BuildReason: OpenEnum {
    case initiator, autostart, autostop, dormancy, dashboard, cli, sshConnection, vscodeConnection, jetbrainsConnection, taskAutoPause,
        taskManualPause, taskResume
    case unknown(String)

    public static let knownCases: [BuildReason] = [
        .initiator, .autostart, .autostop, .dormancy, .dashboard, .cli, .sshConnection, .vscodeConnection, .jetbrainsConnection, .taskAutoPause,
        .taskManualPause, .taskResume,
    ]

    public var rawValue: String {
        switch self {
        case .initiator: "initiator"
        case .autostart: "autostart"
        case .autostop: "autostop"
        case .dormancy: "dormancy"
        case .dashboard: "dashboard"
        case .cli: "cli"
        case .sshConnection: "ssh_connection"
        case .vscodeConnection: "vscode_connection"
        case .jetbrainsConnection: "jetbrains_connection"
        case .taskAutoPause: "task_auto_pause"
        case .taskManualPause: "task_manual_pause"
        case .taskResume: "task_resume"
        case .unknown(let raw): raw
        }
    }
}

/// Connection state of a workspace agent (`codersdk.WorkspaceAgentStatus`).
public enum AgentStatus: OpenEnum {
    case connecting, connected, disconnected, timeout
    case unknown(String)

    public static let knownCases: [AgentStatus] = [.connecting, .connected, .disconnected, .timeout]

    public var rawValue: String {
        switch self {
        case .connecting: "connecting"
        case .connected: "connected"
        case .disconnected: "disconnected"
        case .timeout: "timeout"
        case .unknown(let raw): raw
        }
    }
}

/// Lifecycle of a workspace agent (`codersdk.WorkspaceAgentLifecycle`).
public enum AgentLifecycle: OpenEnum {
    case created, starting, startTimeout, startError, ready, shuttingDown, shutdownTimeout, shutdownError, off
    case unknown(String)

    public static let knownCases: [AgentLifecycle] = [
        .created, .starting, .startTimeout, .startError, .ready, .shuttingDown, .shutdownTimeout, .shutdownError, .off,
    ]

    public var rawValue: String {
        switch self {
        case .created: "created"
        case .starting: "starting"
        case .startTimeout: "start_timeout"
        case .startError: "start_error"
        case .ready: "ready"
        case .shuttingDown: "shutting_down"
        case .shutdownTimeout: "shutdown_timeout"
        case .shutdownError: "shutdown_error"
        case .off: "off"
        case .unknown(let raw): raw
        }
    }
}

/// Health of a workspace app (`codersdk.WorkspaceAppHealth`).
public enum AppHealth: OpenEnum {
    case disabled, initializing, healthy, unhealthy
    case unknown(String)

    public static let knownCases: [AppHealth] = [.disabled, .initializing, .healthy, .unhealthy]

    public var rawValue: String {
        switch self {
        case .disabled: "disabled"
        case .initializing: "initializing"
        case .healthy: "healthy"
        case .unhealthy: "unhealthy"
        case .unknown(let raw): raw
        }
    }
}

/// What an agent reported through `coder_report_task` (`codersdk.WorkspaceAppStatusState`).
public enum AppStatusState: OpenEnum {
    case working, idle, complete, failure
    case unknown(String)

    public static let knownCases: [AppStatusState] = [.working, .idle, .complete, .failure]

    public var rawValue: String {
        switch self {
        case .working: "working"
        case .idle: "idle"
        case .complete: "complete"
        case .failure: "failure"
        case .unknown(let raw): raw
        }
    }
}

/// Status of a Coder task. Coder 2.26–2.28 reported the workspace status here; 2.29+ uses its own vocabulary (`codersdk.TaskStatus`).
public enum TaskStatus: OpenEnum {
    case pending, initializing, active, paused, statusUnknown, error, starting, running, stopping, stopped, failed, canceling, canceled, deleting,
        deleted
    case unknown(String)

    public static let knownCases: [TaskStatus] = [
        .pending, .initializing, .active, .paused, .statusUnknown, .error, .starting, .running, .stopping, .stopped, .failed, .canceling, .canceled,
        .deleting, .deleted,
    ]

    public var rawValue: String {
        switch self {
        case .pending: "pending"
        case .initializing: "initializing"
        case .active: "active"
        case .paused: "paused"
        case .statusUnknown: "unknown"
        case .error: "error"
        case .starting: "starting"
        case .running: "running"
        case .stopping: "stopping"
        case .stopped: "stopped"
        case .failed: "failed"
        case .canceling: "canceling"
        case .canceled: "canceled"
        case .deleting: "deleting"
        case .deleted: "deleted"
        case .unknown(let raw): raw
        }
    }
}

/// The task's current state, derived from the newest app status (`codersdk.TaskState`).
public enum TaskState: OpenEnum {
    case working, idle, complete, failed, failure
    case unknown(String)

    public static let knownCases: [TaskState] = [.working, .idle, .complete, .failed, .failure]

    public var rawValue: String {
        switch self {
        case .working: "working"
        case .idle: "idle"
        case .complete: "complete"
        case .failed: "failed"
        case .failure: "failure"
        case .unknown(let raw): raw
        }
    }
}

/// Direction of a task log entry.
public enum TaskLogType: OpenEnum {
    case input, output
    case unknown(String)

    public static let knownCases: [TaskLogType] = [.input, .output]

    public var rawValue: String {
        switch self {
        case .input: "input"
        case .output: "output"
        case .unknown(let raw): raw
        }
    }
}

/// A user's account status.
public enum UserStatus: OpenEnum {
    case active, dormant, suspended
    case unknown(String)

    public static let knownCases: [UserStatus] = [.active, .dormant, .suspended]

    public var rawValue: String {
        switch self {
        case .active: "active"
        case .dormant: "dormant"
        case .suspended: "suspended"
        case .unknown(let raw): raw
        }
    }
}

/// Type of a rich parameter.
public enum ParameterType: OpenEnum {
    case string, number, bool, listString
    case unknown(String)

    public static let knownCases: [ParameterType] = [.string, .number, .bool, .listString]

    public var rawValue: String {
        switch self {
        case .string: "string"
        case .number: "number"
        case .bool: "bool"
        case .listString: "list(string)"
        case .unknown(let raw): raw
        }
    }
}

/// AgentAPI's own status: `stable` when the agent waits for input, `running` while it works.
public enum AgentAPIStatus: OpenEnum {
    case stable, running
    case unknown(String)

    public static let knownCases: [AgentAPIStatus] = [.stable, .running]

    public var rawValue: String {
        switch self {
        case .stable: "stable"
        case .running: "running"
        case .unknown(let raw): raw
        }
    }
}

/// Who wrote an AgentAPI message.
public enum AgentAPIRole: OpenEnum {
    case user, agent
    case unknown(String)

    public static let knownCases: [AgentAPIRole] = [.user, .agent]

    public var rawValue: String {
        switch self {
        case .user: "user"
        case .agent: "agent"
        case .unknown(let raw): raw
        }
    }
}

/// How AgentAPI delivers a message: `user` types it as a turn, `raw` writes bytes to the terminal.
public enum AgentAPIMessageType: OpenEnum {
    case user, raw
    case unknown(String)

    public static let knownCases: [AgentAPIMessageType] = [.user, .raw]

    public var rawValue: String {
        switch self {
        case .user: "user"
        case .raw: "raw"
        case .unknown(let raw): raw
        }
    }
}
