import CoderAPI

/// How the fleet maps onto a Coder deployment.
public struct FleetConfiguration: Sendable {
    public var naming: AgentNaming
    /// Pin the tasks API instead of detecting it (`--tasks-api`); nil detects from `/api/v2/buildinfo`.
    public var tasksAPI: TasksAPIGeneration?
    /// The rich parameter that makes a template a fleet project and carries the prompt.
    public var promptParameter: String
    /// How often `wait_for_agent` and `restart_agent` poll Coder.
    public var pollInterval: Duration
    /// The longest a single `wait_for_agent` call blocks.
    public var maxWait: Duration
    /// The longest any call may take besides its waiting (`maxWait` for the tools that wait); each Coder request
    /// in it, retries included, gets what is left (`CallDeadline`).
    public var callTimeout: Duration

    public init(
        naming: AgentNaming = AgentNaming(), tasksAPI: TasksAPIGeneration? = nil, promptParameter: String = "AI Prompt",
        pollInterval: Duration = .seconds(1), maxWait: Duration = .seconds(45), callTimeout: Duration = .seconds(30)
    ) {
        self.naming = naming
        self.tasksAPI = tasksAPI
        self.promptParameter = promptParameter
        self.pollInterval = pollInterval
        self.maxWait = maxWait
        self.callTimeout = callTimeout
    }

    /// Whether a parameter name is the prompt parameter (`AI Prompt`, `ai_prompt`, any case).
    public func isPromptParameter(_ name: String) -> Bool {
        let normalise = { (s: String) in s.lowercased().replacingOccurrences(of: " ", with: "_") }
        return normalise(name) == normalise(promptParameter)
    }
}
