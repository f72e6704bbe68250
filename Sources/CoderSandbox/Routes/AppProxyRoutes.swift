import CoderAPI
import Foundation
import Hummingbird

/// Coder's path-based app proxy (`/@{owner}/{workspace}[.{agent}]/apps/{slug}/…`) in front of the simulated
/// AgentAPI (`/status`, `/messages`, `/message`). Errors are HTML pages, as Coder's are.
extension SandboxResponder {
    func appProxy(_ r: SandboxRequest) async throws -> Response {
        var segments = r.segments
        guard segments.count >= 4, segments[2] == "apps" else { throw SandboxError.appNotFound }
        let ownerName = String(segments[0].dropFirst(segments[0].hasPrefix("@") ? 1 : 0))
        guard let token = r.sessionToken, let caller = await store.user(forToken: token) else {
            var redirect = SandboxError(303, "See Other")
            redirect.html = "<a href=\"/login\">See Other</a>."
            redirect.headers = [("Location", "/login?message=You%20are%20signed%20out%20or%20your%20session%20has%20expired.&redirect=\(r.path)")]
            throw redirect
        }
        if ownerName == "me" {
            throw SandboxError.page(404, title: "Application Not Found", description: "Applications must be accessed with the full username, not @me.")
        }
        guard let owner = await store.user(named: ownerName, caller: caller), owner.id == caller.id else { throw SandboxError.appNotFound }
        let workspaceName = String(segments[1].split(separator: ".", maxSplits: 1).first ?? "")
        let slug = segments[3]
        segments.removeFirst(4)
        var found = await store.workspace(owner: owner, name: workspaceName)
        if found == nil, isUUID(workspaceName), let byID = await store.workspaces[workspaceName], !byID.deleted, byID.ownerID == owner.id { found = byID }
        guard let workspace = found, await store.template(named: workspace.templateName)?.aiTask == true, slug == "ccw" || slug == "ccw-cli" else {
            throw SandboxError.appNotFound
        }
        if workspace.latestBuild.transition == .stop {
            throw SandboxError.page(400, title: "Workspace Offline", description: "Last workspace transition was to the \"stop\" state. Start the workspace to access its applications.")
        }
        guard let agent = workspace.agent, agent.status == .connected, workspace.latestBuild.workspaceStatus == .running else {
            throw SandboxError.page(404, title: "Application Unavailable", description: "Agent state is \"\(workspace.agent?.status.rawValue ?? "disconnected")\", not \"connected\"")
        }
        if workspace.crashed || agent.lifecycle != .ready || slug != "ccw" {
            throw SandboxError.page(502, title: "Bad Gateway", description: "Failed to proxy request to application: dial tcp 127.0.0.1:3284: connect: connection refused")
        }
        return try await agentAPI(r, workspace: workspace, path: segments.joined(separator: "/"))
    }

    /// The simulated AgentAPI (coder/agentapi): huma JSON bodies with `$schema`.
    func agentAPI(_ r: SandboxRequest, workspace: WorkspaceRecord, path: String) async throws -> Response {
        let schemaBase = "http://localhost:3284/schemas/"
        switch (r.method, path) {
        case (.get, "status"):
            return try Reply.json(AgentAPIStatusBody(schema: schemaBase + "StatusResponseBody.json",
                                                     status: workspace.conversation.running ? "running" : "stable", agentType: "claude"))
        case (.get, "messages"):
            return try Reply.json(AgentAPIMessagesBody(schema: schemaBase + "MessagesResponseBody.json", messages: workspace.conversation.messages))
        case (.post, "message"):
            guard let message = try? CoderJSON.decode(AgentAPIPostMessage.self, from: Data(buffer: r.body)), message.type.isKnown else {
                return Reply.raw(status: 422, contentType: "application/problem+json", body: Data(#"{"$schema":"http://localhost:3284/schemas/ErrorModel.json","title":"Unprocessable Entity","status":422,"detail":"validation failed","errors":[{"message":"expected value to be one of \"user, raw\"","location":"body.type"}]}"#.utf8))
            }
            if message.type == .raw {
                if message.content.contains("\u{1b}") || message.content.contains("\u{3}") { await simulator.interrupt(workspace.id) }
                return try Reply.json(AgentAPIOKBody(schema: schemaBase + "MessageResponseBody.json", ok: true))
            }
            let text = message.content.trimmingCharacters(in: .whitespacesAndNewlines)
            if workspace.conversation.running || text.isEmpty {
                let reason = text.isEmpty ? "message must not be empty" : "failed to send message: message can only be sent when the agent is waiting for user input"
                return Reply.raw(status: 500, contentType: "application/problem+json", body: Data(#"{"$schema":"http://localhost:3284/schemas/ErrorModel.json","title":"Internal Server Error","status":500,"detail":"unexpected error occurred","errors":[{"message":"\#(reason)"}]}"#.utf8))
            }
            await simulator.startTurn(workspace.id, prompt: text)
            return try Reply.json(AgentAPIOKBody(schema: schemaBase + "MessageResponseBody.json", ok: true))
        default:
            return Reply.raw(status: 404, contentType: "application/problem+json", body: Data(#"{"title":"Not Found","status":404,"detail":"no route for \#(r.method) /\#(path)"}"#.utf8))
        }
    }
}

struct AgentAPIStatusBody: Encodable {
    var schema: String
    var status: String
    var agentType: String
    enum CodingKeys: String, CodingKey { case schema = "$schema", status, agentType = "agent_type" }
}

struct AgentAPIMessagesBody: Encodable {
    var schema: String
    var messages: [AgentAPIMessage]
    enum CodingKeys: String, CodingKey { case schema = "$schema", messages }
}

struct AgentAPIOKBody: Encodable {
    var schema: String
    var ok: Bool
    enum CodingKeys: String, CodingKey { case schema = "$schema", ok }
}
