import Foundation
import Yams

/// What the sandbox starts with: users, templates (fleet projects with roles, and one that is not), and
/// optionally agents with history. Load with `--seed FILE` (JSON or YAML, snake_case keys).
public struct SandboxSeed: Codable, Sendable {
    /// Seeds ids and the agents' choices: the same seed gives the same run.
    public var randomSeed: UInt64
    public var organization: Organization
    /// The first user owns the session token and has the `owner` (admin) role; the others are members, who reach
    /// only their own workspaces and tasks.
    public var users: [User]
    public var templates: [Template]
    public var agents: [Agent]

    public struct Organization: Codable, Sendable {
        public var name: String
        public var displayName: String
    }

    public struct User: Codable, Sendable {
        public var username: String
        public var name: String
        public var email: String
        /// The user's session token (Coder's `<id>-<secret>` shape); random when nil. `--token` overrides the first user's.
        public var token: String?

        public init(username: String, name: String, email: String, token: String? = nil) {
            self.username = username
            self.name = name
            self.email = email
            self.token = token
        }
    }

    public struct Template: Codable, Sendable {
        public var name: String
        public var displayName: String
        public var description: String
        public var icon: String?
        /// Repository the agents of this project open pull requests against (`owner/name`).
        public var repository: String?
        /// Whether the template has a `coder_ai_task` resource (Coder's `has_ai_task`). Its `AI Prompt` parameter is
        /// dropped in the 2.30+ modes, where coderd no longer fills it.
        public var aiTask: Bool
        public var parameters: [Parameter]?
        public var presets: [Preset]?
    }

    public struct Parameter: Codable, Sendable {
        public var name: String
        public var displayName: String?
        public var description: String
        public var formType: String?
        public var defaultValue: String?
        public var mutable: Bool?
    }

    public struct Preset: Codable, Sendable {
        public var name: String
        public var description: String?
        public var isDefault: Bool?
        public var parameters: [String: String]

        enum CodingKeys: String, CodingKey { case name, description, isDefault = "default", parameters }
    }

    /// An agent that exists when the sandbox starts.
    public struct Agent: Codable, Sendable {
        /// Workspace name, e.g. `agent-legacy`.
        public var workspace: String
        /// The owner's username (default: the first user).
        public var owner: String?
        public var template: String
        public var preset: String?
        public var prompt: String
        /// `running` (default) or `stopped`.
        public var state: String?
        public var history: [Report]?

        public init(
            workspace: String, owner: String? = nil, template: String, preset: String? = nil, prompt: String, state: String? = nil,
            history: [Report]? = nil
        ) {
            self.workspace = workspace
            self.owner = owner
            self.template = template
            self.preset = preset
            self.prompt = prompt
            self.state = state
            self.history = history
        }
    }

    public struct Report: Codable, Sendable {
        public var state: String
        public var message: String
        public var uri: String?
    }

    /// Reads a seed from JSON or YAML.
    public static func load(_ url: URL) throws -> SandboxSeed {
        let text = try String(contentsOf: url, encoding: .utf8)
        if text.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("{") {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            return try decoder.decode(SandboxSeed.self, from: Data(text.utf8))
        }
        // Yams has no key strategy: re-encode as JSON, then decode snake_case.
        guard let object = try Yams.load(yaml: text) else { throw CocoaError(.fileReadCorruptFile) }
        let data = try JSONSerialization.data(withJSONObject: object)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(SandboxSeed.self, from: data)
    }

    static let coderPrompt = """
        You are an expert software developer. Write clean, tested code, follow the codebase's conventions, \
        and open a pull request for every change. Report progress with coder_report_task.
        """
    static let operatorPrompt = """
        You are a site reliability engineer. Investigate incidents from logs and metrics, find root causes, \
        and propose mitigations. Ask before changing production. Report progress with coder_report_task.
        """
    static let reviewerPrompt = """
        You are a meticulous code reviewer. Read the change, run the tests, and report concrete findings; \
        do not push commits. Report progress with coder_report_task.
        """

    static func fleetTemplate(name: String, displayName: String, description: String, repository: String, reviewer: Bool) -> Template {
        var presets = [
            Preset(
                name: "Coder", description: "Implements features and fixes bugs, with tests and a pull request.", isDefault: true,
                parameters: ["system_prompt": coderPrompt]),
            Preset(
                name: "Operator", description: "Investigates incidents and proposes mitigations.", isDefault: false,
                parameters: ["system_prompt": operatorPrompt]),
        ]
        if reviewer {
            presets.append(
                Preset(
                    name: "Reviewer", description: "Reviews pull requests and reports findings.", isDefault: false,
                    parameters: ["system_prompt": reviewerPrompt]))
        }
        return Template(
            name: name, displayName: displayName, description: description, icon: "/icon/claude.svg", repository: repository,
            aiTask: true,
            parameters: [
                Parameter(
                    name: "AI Prompt", displayName: nil, description: "Write a prompt for Claude Code", formType: "input",
                    defaultValue: "", mutable: true),
                Parameter(
                    name: "system_prompt", displayName: "System Prompt",
                    description: "System prompt for the agent (set by the role preset)",
                    formType: "textarea", defaultValue: "", mutable: false),
            ],
            presets: presets)
    }

    /// Two fleet projects with roles, and one template that is not a project.
    public static let `default` = SandboxSeed(
        randomSeed: 42,
        organization: Organization(name: "coder", displayName: "Coder"),
        users: [User(username: "alice", name: "Alice Example", email: "alice@example.com")],
        templates: [
            fleetTemplate(
                name: "webshop", displayName: "Webshop", description: "The storefront and checkout service (TypeScript).",
                repository: "acme/webshop", reviewer: true),
            fleetTemplate(
                name: "platform", displayName: "Platform", description: "Infrastructure, deploy pipelines and observability.",
                repository: "acme/platform", reviewer: false),
            Template(
                name: "docker-dev", displayName: "Docker Dev", description: "A plain development container (not an AI-task template).",
                icon: "/icon/docker.png", repository: nil, aiTask: false,
                parameters: [
                    Parameter(
                        name: "cpu", displayName: "CPU cores", description: "Cores for the container", formType: "input",
                        defaultValue: "2", mutable: true)
                ],
                presets: []),
        ],
        agents: []
    )
}
