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
    /// Whether a template version has a `coder_ai_task` resource: `has_ai_task` is written when the version is
    /// imported and never changes (v2.35.1 coderd/provisionerdserver/provisionerdserver.go:1874–1886).
    let aiTaskVersions = ImmutableCache<String, Bool>()
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

    /// How this deployment's projects are told apart (``CoderCapabilities/projects``); the parameter rule when the
    /// version cannot be read.
    func projectRule() async -> CoderCapabilities.ProjectRule {
        (try? await deployment.capabilities())?.projects ?? .promptParameter
    }

    /// The templates Coder calls AI-task templates: `has-ai-task:true` filters on the active version's
    /// `has_ai_task` (v2.30.0 coderd/searchquery/search.go:336, coderd/database/queries/templates.sql:74–78).
    func aiTaskTemplates() async throws -> [Template] {
        try await coder.templates(query: "has-ai-task:true").filter { !($0.deleted ?? false) }
    }

    /// Whether a template version makes its template a fleet project, by the deployment's rule.
    func isProjectVersion(_ id: String) async throws -> Bool {
        switch await projectRule() {
        case .promptParameter: try await declaresPrompt(id)
        case .aiTaskTemplate:
            try await aiTaskVersions.value(for: id) { [self] in try await aiTaskTemplates().contains { $0.activeVersionID == id } }
        }
    }

    /// Whether a template version declares the prompt parameter.
    func declaresPrompt(_ id: String) async throws -> Bool {
        try await parameters(ofVersion: id).contains { configuration.isPromptParameter($0.name) }
    }

    /// The caller's user id (cached; a token belongs to one user).
    func callerID() async throws -> String {
        let coder = self.coder
        return try await identity.value(for: "me") { try await coder.user().id }
    }
}
