import CoderAPI
import Foundation
import Hummingbird

/// The simulated AgentAPI (coder/agentapi) behind the app proxy: huma JSON bodies with `$schema`, problem+json errors.
struct SimulatedAgentAPI {
    let simulator: Simulator

    static let schemas = "http://localhost:3284/schemas/"

    func respond(to request: Request, workspace: WorkspaceRecord, path: String) async throws -> Response {
        var request = request
        switch (request.method, path) {
        case (.get, "status"):
            return try Reply.json(
                AgentAPIStatusBody(
                    schema: Self.schemas + "StatusResponseBody.json",
                    status: workspace.conversation.running ? "running" : "stable", agentType: "claude"))
        case (.get, "messages"):
            return try Reply.json(AgentAPIMessagesBody(schema: Self.schemas + "MessagesResponseBody.json", messages: workspace.conversation.messages))
        case (.post, "message"):
            guard let message = try? CoderJSON.decode(AgentAPIPostMessage.self, from: await request.bodyData()), message.type.isKnown else {
                return Self.problem(
                    422,
                    #""$schema":"http://localhost:3284/schemas/ErrorModel.json","title":"Unprocessable Entity","status":422,"#
                        + #""detail":"validation failed","#
                        + #""errors":[{"message":"expected value to be one of \"user, raw\"","location":"body.type"}]"#)
            }
            if message.type == .raw {
                if message.content.contains("\u{1b}") || message.content.contains("\u{3}") { await simulator.interrupt(workspace.id) }
                return try Reply.json(AgentAPIOKBody(schema: Self.schemas + "MessageResponseBody.json", ok: true))
            }
            let text = message.content.trimmingCharacters(in: .whitespacesAndNewlines)
            if workspace.conversation.running || text.isEmpty {
                let reason =
                    text.isEmpty
                    ? "message must not be empty"
                    : "failed to send message: message can only be sent when the agent is waiting for user input"
                return Self.problem(
                    500,
                    #""$schema":"http://localhost:3284/schemas/ErrorModel.json","title":"Internal Server Error","status":500,"#
                        + #""detail":"unexpected error occurred","errors":[{"message":"\#(reason)"}]"#)
            }
            await simulator.startTurn(workspace.id, prompt: text)
            return try Reply.json(AgentAPIOKBody(schema: Self.schemas + "MessageResponseBody.json", ok: true))
        default:
            return Self.problem(404, #""title":"Not Found","status":404,"detail":"no route for \#(request.method) /\#(path)""#)
        }
    }

    /// A huma error: `{` + members + `}` as `application/problem+json`.
    static func problem(_ status: Int, _ members: String) -> Response {
        Reply.raw(status: status, contentType: "application/problem+json", body: Data(("{" + members + "}").utf8))
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
