import CoderAPI
import Foundation
import Logging

/// The fleet's operations, each reading what it needs from Coder on every call.
///
/// Stateless: the only memory is of immutable things (a template version's parameters and presets, the caller's
/// id) and of which tasks API the deployment serves. The operations live in one file per concern: projects,
/// lookup, status, lifecycle, conversation, waiting.
public final class FleetService: Sendable {
    public let coder: CoderClient
    public let configuration: FleetConfiguration
    /// Where the agents run and how they are reached.
    public let backend: CoderWorkspaceBackend
    let parameters = ImmutableCache<String, [TemplateVersionParameter]>()
    let presets = ImmutableCache<String, [Preset]>()
    let identity = ImmutableCache<String, String>()
    let logger: Logger
    /// Asks forges about pull requests in `show_agent`; nil leaves pull requests as the agents reported them.
    let enricher: PullRequestEnricher?

    public init(
        coder: CoderClient, configuration: FleetConfiguration = FleetConfiguration(), enricher: PullRequestEnricher? = nil,
        logger: Logger = Logger(label: "fleet-mcp")
    ) {
        self.coder = coder
        self.configuration = configuration
        self.enricher = enricher
        self.backend = CoderWorkspaceBackend(
            coder: coder, pinned: configuration.tasksAPI, isPromptParameter: { configuration.isPromptParameter($0) }, logger: logger)
        self.logger = logger
    }

    var naming: AgentNaming { configuration.naming }

    /// What the deployment can do, detected once.
    public var deployment: DeploymentDetector { backend.deployment }

    // MARK: - Immutable lookups

    func parameters(ofVersion id: String) async throws -> [TemplateVersionParameter] {
        let coder = self.coder
        return try await parameters.value(for: id) { try await coder.richParameters(templateVersionID: id) }
    }

    func presets(ofVersion id: String) async throws -> [Preset] {
        let coder = self.coder
        return try await presets.value(for: id) { try await coder.presets(templateVersionID: id) }
    }

    func isProjectVersion(_ id: String) async throws -> Bool {
        try await parameters(ofVersion: id).contains { configuration.isPromptParameter($0.name) }
    }

    /// The caller's user id (cached; a token belongs to one user).
    func callerID() async throws -> String {
        let coder = self.coder
        return try await identity.value(for: "me") { try await coder.user().id }
    }
}
