/// What "needs attention" means, written once: `wait_for_fleet`'s default, `list_agents(status_filter:
/// "attention")` (the inbox), resource subscribers and `watch --notify` all read it (README, "Fleet attention").
///
/// An agent needs attention when it waits for someone to decide what happens next.
public enum Attention {
    /// Why an agent needs attention, one reason per status it can be in.
    public enum Reason: String, Sendable, CaseIterable {
        /// It asked a question (`needs_input`).
        case asks
        /// It finished its task (`complete`): read the result, review its pull request.
        case finished
        /// It failed (a build, the agent, Claude Code): restart or delete it.
        case failed
        /// It waits without a task (`idle`): give it one or delete it.
        case idle
        /// It was paused, by a person or an idle timeout: resume it or give it new work.
        case paused
    }

    /// The reason an agent in `status` needs attention, nil when it does not.
    public static func reason(for status: AgentStatus) -> Reason? {
        switch status {
        case .needsInput: .asks
        case .complete: .finished
        case .failed: .failed
        case .idle: .idle
        case .paused: .paused
        case .pending, .starting, .busy, .stopping, .stopped, .canceling, .canceled, .deleting, .deleted: nil
        }
    }

    /// The statuses that need attention.
    public static let statuses: Set<AgentStatus> = Set(AgentStatus.allCases.filter { reason(for: $0) != nil })
}
