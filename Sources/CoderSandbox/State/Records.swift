import CoderAPI
import Foundation

/// Deterministic ids: the same seed gives the same ids in the same order (SplitMix64).
struct IDGenerator: Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A lowercase version-4 UUID string.
    mutating func uuid() -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        let a = next(), b = next()
        for i in 0..<8 {
            bytes[i] = UInt8(truncatingIfNeeded: a >> (8 * UInt64(i)))
            bytes[8 + i] = UInt8(truncatingIfNeeded: b >> (8 * UInt64(i)))
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }

    /// A Coder API key: `<10-char id>-<22-char secret>`.
    mutating func token() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        func chunk(_ n: Int) -> String { String((0..<n).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] }) }
        return chunk(10) + "-" + chunk(22)
    }
}

struct UserRecord: Sendable {
    var user: User
    var token: String
}

struct TemplateRecord: Sendable {
    var template: Template
    var version: TemplateVersion
    var parameters: [TemplateVersionParameter]
    var presets: [Preset]
    var aiTask: Bool
    var repository: String
}

/// One build of a workspace and its provisioner job.
struct BuildRecord: Sendable {
    var id: String
    var number: Int
    var transition: WorkspaceTransition
    var createdAt: Date
    var updatedAt: Date
    var jobID: String
    var fileID: String
    var workerID: String
    var startedAt: Date?
    var completedAt: Date?
    var canceledAt: Date?
    var error: String?
    var templateVersionID: String
    var presetID: String?
    var initiatorID: String
    var reason: BuildReason
    /// The agent of this build (start builds only), created when the job succeeds.
    var agentID: String?
    var resourceIDs: [String]

    var jobStatus: ProvisionerJobStatus {
        if let completedAt = completedAt {
            _ = completedAt
            if error != nil { return .failed }
            if canceledAt != nil { return .canceled }
            return .succeeded
        }
        if error != nil { return .failed }
        if canceledAt != nil { return .canceling }
        return startedAt == nil ? .pending : .running
    }

    /// `codersdk.ConvertWorkspaceStatus`.
    var workspaceStatus: WorkspaceStatus {
        switch jobStatus {
        case .pending: return .pending
        case .running: return transition == .start ? .starting : transition == .stop ? .stopping : .deleting
        case .succeeded: return transition == .start ? .running : transition == .stop ? .stopped : .deleted
        case .canceling: return .canceling
        case .canceled: return .canceled
        default: return .failed
        }
    }
}

/// The workspace agent's runtime state (the current start build's agent).
struct AgentRuntime: Sendable {
    var status: AgentStatus = .connecting
    var lifecycle: AgentLifecycle = .created
    var createdAt: Date
    var updatedAt: Date
    var firstConnectedAt: Date?
    var lastConnectedAt: Date?
    var startedAt: Date?
    var readyAt: Date?
    var appHealth: AppHealth = .initializing
}

/// Claude Code as AgentAPI sees it.
struct ConversationState: Sendable {
    var messages: [AgentAPIMessage] = []
    var running = false
}

struct WorkspaceRecord: Sendable {
    var id: String
    var name: String
    var ownerID: String
    var templateName: String
    var createdAt: Date
    var updatedAt: Date
    var lastUsedAt: Date
    var builds: [BuildRecord]
    var parameters: [WorkspaceBuildParameter]
    var deleted = false
    var taskID: String?
    var agentToken: String
    /// App ids are stable across builds (the template's `coder_app` ids), so history survives restarts.
    var agentAPIAppID: String
    var cliAppID: String
    var statuses: [WorkspaceAppStatus] = []
    var agent: AgentRuntime?
    var conversation = ConversationState()
    /// The simulated agent has crashed (`[fail]` prompts): AgentAPI answers 502 and the app is unhealthy.
    var crashed = false

    var latestBuild: BuildRecord { builds[builds.count - 1] }
    /// A task's input when the template has no `AI Prompt` parameter (2.30+: the template reads `data.coder_task`).
    var taskInput: String?
    var prompt: String { parameters.first { $0.name == "AI Prompt" }?.value ?? taskInput ?? "" }
}

struct TaskRecord: Sendable {
    var id: String
    var name: String
    var displayName: String
    var workspaceID: String
    var ownerID: String
    var templateName: String
    var templateVersionID: String
    var initialPrompt: String
    var createdAt: Date
    var updatedAt: Date
    var deleted = false
    /// What the agent had said when its workspace last stopped (Coder's task log snapshot).
    var snapshot: TaskSnapshot?
    /// Input set with `PATCH …/input` while paused: the agent starts on it at the next start.
    var pendingInput: String?
}

/// A task's conversation as stored at pause time.
struct TaskSnapshot: Sendable {
    var messages: [AgentAPIMessage]
    var at: Date
}
