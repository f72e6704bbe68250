import FleetHTTP
import FleetMCP
import Foundation
import MCP
import Testing

/// HTTP bodies are read by the same JSON-RPC reader as stdio lines (`RPCFrame`): malformed frames get the answers
/// JSON-RPC requires (a parse error or an unreadable id: 400 with `"id": null`; bad params of a request: its id),
/// in the stateless mode and in a session, and never reach the SDK.
@Suite struct FrameScreeningTests {
    static let cases: [(body: String, status: Int, code: Int, id: Value)] = [
        (#"{"jsonrpc":"2.0","id":1,"method""#, 400, -32700, .null),
        (#"{"jsonrpc":"2.0","id":1,"method":"ping","x":"\ud800"}"#, 400, -32700, .null),
        (#"{"jsonrpc":"2.0","id":1.5,"method":"tools/list"}"#, 400, -32600, .null),
        (#"{"jsonrpc":"2.0","id":{"a":1},"method":"tools/list"}"#, 400, -32600, .null),
        (#"{"jsonrpc":"2.0","id":null,"method":"tools/list"}"#, 400, -32600, .null),
        (#"42"#, 400, -32600, .null),
        (#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#, 400, -32600, .null),
        (#"{"jsonrpc":"1.0","id":4,"method":"tools/list"}"#, 200, -32600, .int(4)),
        (#"{"jsonrpc":"2.0","id":5,"method":"tools/list","params":"x"}"#, 200, -32602, .int(5)),
        (#"{"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"name":"list_agents","arguments":[1]}}"#, 200, -32602, .string("a")),
        (#"{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"arguments":{}}}"#, 200, -32602, .int(6)),
    ]

    func check(_ team: TeamFixture, headers: [(String, String)] = []) async throws {
        for (body, status, code, id) in Self.cases {
            let answer = try await Wire.send(team.endpoint, body: Data(body.utf8), token: TeamFixture.aliceBearer, headers: headers)
            #expect(answer.status == status, "\(body): \(answer.status) \(answer.text)")
            let reply = try JSONDecoder().decode(Value.self, from: Data(answer.text.utf8))
            #expect(reply["error"]?["code"] == .int(code), "\(body): \(answer.text)")
            #expect(reply["id"] == id, "\(body): \(answer.text)")
            #expect(reply["jsonrpc"] == .string("2.0"))
        }
        // The server still answers.
        let tools = try await Wire.send(team.endpoint, body: HTTPServerTests.listTools, token: TeamFixture.aliceBearer, headers: headers)
        #expect(tools.status == 200)
    }

    @Test func statelessFramesAreScreened() async throws {
        var options = HTTPServerOptions(port: 0)
        options.maxBodyBytes = 4096
        try await TeamFixture.with(options) { team in
            try await check(team)
            // An oversize frame: 413 with a JSON-RPC error, id null.
            let big = Data((#"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":""# + String(repeating: "x", count: 8192) + #""}}"#).utf8)
            let refused = try await Wire.send(team.endpoint, body: big, token: TeamFixture.aliceBearer)
            #expect(refused.status == 413)
            let reply = try JSONDecoder().decode(Value.self, from: Data(refused.text.utf8))
            #expect(reply["error"]?["code"] == .int(-32600) && reply["id"] == .null, "\(refused.text)")
        }
    }

    @Test func sessionFramesAreScreened() async throws {
        try await TeamFixture.with(HTTPServerOptions(port: 0, stateful: true)) { team in
            let opened = try await Wire.send(team.endpoint, body: SessionAndUserTests.initialize, token: TeamFixture.aliceBearer)
            let session = try #require(opened.header("mcp-session-id"))
            let headers = [("Mcp-Session-Id", session), ("MCP-Protocol-Version", "2025-06-18")]
            _ = try await Wire.send(
                team.endpoint, body: try JSONEncoder().encode(InitializedNotification.message()), token: TeamFixture.aliceBearer, headers: headers)
            try await check(team, headers: headers)
            // A session's tool calls are answered below the SDK too, with progress on their own stream.
            let (listed, answer) = try await Wire.call(team, "list_agent_projects", [:], token: TeamFixture.aliceBearer, headers: headers)
            #expect(listed.isError == false && answer.header("content-type")?.hasPrefix("application/json") == true)
            let (waited, streamed) = try await Wire.call(
                team, "wait_for_fleet", ["timeout_seconds": 1], token: TeamFixture.aliceBearer, progressToken: .string("s-1"), headers: headers)
            #expect(waited.isError == false, "\(Wire.text(waited))")
            #expect(streamed.header("content-type")?.hasPrefix("text/event-stream") == true)
            #expect(streamed.events.dropLast().allSatisfy { $0.contains("notifications/progress") && $0.contains("s-1") })
        }
    }
}
