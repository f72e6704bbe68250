import CoderAPI
import Foundation

/// Maps agent names to workspace names and checks them against Coder's rules before anything is written.
public struct AgentNaming: Sendable, Hashable {
    /// Prepended to every agent name (`agent-` by default, `--name-prefix`).
    public var prefix: String

    public init(prefix: String = "agent-") { self.prefix = prefix }

    public func workspaceName(for agent: String) -> String { prefix + agent }

    /// The agent name of a fleet workspace, or nil when the workspace is not named with the prefix.
    public func agentName(ofWorkspace name: String) -> String? {
        guard name.lowercased().hasPrefix(prefix.lowercased()), name.count > prefix.count else { return nil }
        return String(name.dropFirst(prefix.count))
    }

    /// Accepts either the agent name or the full workspace name.
    public func normalise(_ input: String) -> String {
        let trimmed = input.trimmingCharacters(in: Self.asciiWhitespace)
        if !prefix.isEmpty, trimmed.lowercased().hasPrefix(prefix.lowercased()), trimmed.count > prefix.count {
            return String(trimmed.dropFirst(prefix.count))
        }
        return trimmed
    }

    static let asciiWhitespace = CharacterSet(charactersIn: " \t\r\n")

    /// What an agent argument names: a workspace id, or an agent by name (prefix optional, ASCII case aside).
    public enum Reference: Sendable, Equatable {
        case id(String)
        case name(String)
    }

    /// Reads an agent argument before any request: it must be a workspace id or a well-formed agent name, so a
    /// look-alike ("\u{212A}ilo", "alpha\u{200B}"), a path ("a/../b") or search syntax ("x owner:y") never
    /// reaches Coder, and a huge argument is refused without echoing it.
    public func reference(_ input: String) throws(FleetError) -> Reference {
        // ASCII whitespace only: Foundation's whitespace set also trims U+200B, which would turn "alpha\u{200B}" into "alpha".
        let trimmed = input.trimmingCharacters(in: Self.asciiWhitespace)
        guard !trimmed.isEmpty else {
            throw FleetError(.invalidArgument, "Agent name is empty. Call list_agents to see the agents.")
        }
        if trimmed.count == 36, let id = UUID(uuidString: trimmed) { return .id(id.uuidString.lowercased()) }
        let name = normalise(trimmed)
        let budget = WorkspaceName.maxLength - prefix.count
        guard name.count <= budget else {
            throw FleetError(
                .invalidArgument,
                "Agent name '\(Echo.cap(name, 40))' is too long: agent names have at most \(budget) characters. "
                    + "Call list_agents to see the agents.")
        }
        guard WorkspaceName.hasValidCharacters(workspaceName(for: name)) else {
            throw FleetError(
                .invalidArgument,
                "'\(Echo.cap(name, 40))' is not an agent name: agent names are ASCII letters, digits and single "
                    + "hyphens. Call list_agents to see the agents.")
        }
        return .name(name)
    }

    /// Coder's `NameValid` (`codersdk/name.go`): 1–32 characters, `^[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*$`, not `new`/`create`.
    public func validate(_ agent: String) throws(FleetError) {
        let workspace = workspaceName(for: agent)
        let budget = WorkspaceName.maxLength - prefix.count
        if agent.isEmpty {
            throw FleetError(
                .invalidArgument, "Agent name is empty. Use letters, digits and single hyphens, at most \(budget) characters (e.g. 'sony').")
        }
        if workspace.count > WorkspaceName.maxLength {
            throw FleetError(
                .invalidArgument,
                "Agent name '\(Echo.cap(agent, 40))' is \(agent.count) characters; with the '\(prefix)' prefix Coder allows at most \(budget).")
        }
        if !WorkspaceName.hasValidCharacters(workspace) {
            throw FleetError(
                .invalidArgument,
                "Agent name '\(Echo.cap(agent, 40))' is not a valid Coder workspace name: use ASCII letters, digits and single hyphens, not at the start or end (e.g. 'sony' or 'review-bot')."
            )
        }
        if WorkspaceName.isReserved(workspace) {
            throw FleetError(.invalidArgument, "'\(workspace)' is reserved by Coder; pick another agent name.")
        }
    }
}
