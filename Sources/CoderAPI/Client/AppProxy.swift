import Foundation

/// Where a workspace app is reached through Coder's path-based app proxy:
/// `/@{owner}/{workspace}.{agent}/apps/{slug}/` (`coderd/workspaceapps`).
public struct AppAddress: Sendable, Hashable, CustomStringConvertible {
    public var owner: String
    public var workspace: String
    /// The agent name; may be omitted when the workspace has exactly one agent.
    public var agent: String?
    public var slug: String

    public init(owner: String, workspace: String, agent: String?, slug: String) {
        self.owner = owner
        self.workspace = workspace
        self.agent = agent
        self.slug = slug
    }

    /// The proxied path of `subpath` inside the app, e.g. `/@alice/agent-x.main/apps/ccw/status`.
    public func path(_ subpath: String = "") -> String {
        let target = agent.map { "\(workspace).\($0)" } ?? workspace
        let cleaned = subpath.hasPrefix("/") ? String(subpath.dropFirst()) : subpath
        return "/@\(owner)/\(target)/apps/\(slug)/\(cleaned)"
    }

    public var description: String { path() }
}

/// AgentAPI (coder/agentapi), the HTTP front of the Claude Code process, reached through the app proxy.
extension CoderClient {
    /// `GET …/status`: `stable` (waiting for input) or `running`.
    public func agentAPIStatus(_ app: AppAddress) async throws -> AgentAPIStatusResponse {
        try await get(app.path("status"))
    }

    /// `GET …/messages`: the whole conversation, oldest first.
    public func agentAPIMessages(_ app: AppAddress) async throws -> AgentAPIMessagesResponse {
        try await get(app.path("messages"))
    }

    /// `POST …/message`: `user` starts a turn (only while `stable`); `raw` writes bytes, e.g. ESC to interrupt.
    @discardableResult
    public func agentAPISend(_ app: AppAddress, content: String, type: AgentAPIMessageType) async throws -> AgentAPIPostMessageResponse {
        try await decode(
            AgentAPIPostMessageResponse.self, "POST", app.path("message"),
            body: AgentAPIPostMessage(content: content, type: type))
    }
}
