import Foundation
import MCP
import NIOHTTP1
import Testing

@testable import FleetHTTP

/// Per-user tool sets, readiness with a revoked credential, and the stateful mode's streams (lifetime cap,
/// `Last-Event-ID` resumption, closed at shutdown).
@Suite(.serialized) struct SessionAndUserTests {
    @Test func perUserToolsAndReadiness() async throws {
        let users: [UsersFile.Entry] = [
            .init(name: "alice", tokenSHA256: TokenDigest.hex(TeamFixture.aliceBearer), coderTokenEnv: "ALICE_CODER", readOnly: true),
            .init(
                name: "bob", tokenSHA256: TokenDigest.hex(TeamFixture.bobBearer), coderTokenEnv: "REVOKED_CODER",
                tools: ["create_agent", "list_agents"]),
        ]
        try await TeamFixture.with(users: users) { team in
            func tools(_ token: String) async throws -> [String] {
                let answer = try await Wire.send(team.endpoint, body: HTTPServerTests.listTools, token: token)
                return try JSONDecoder().decode(Response<ListTools>.self, from: answer.message).result.get().tools.map(\.name)
            }
            let aliceTools = try await tools(TeamFixture.aliceBearer)
            #expect(aliceTools.contains("show_agent") && !aliceTools.contains("create_agent") && !aliceTools.contains("delete_agent"))
            #expect(try await tools(TeamFixture.bobBearer) == ["create_agent", "list_agents"])
            await #expect(throws: MCPError.self) {
                _ = try await Wire.call(team, "create_agent", ["name": "x", "project": "Webshop", "task": "t"], token: TeamFixture.aliceBearer)
            }
            // bob's Coder token is not valid: his calls fail, and the server is not ready.
            let listed = try await Wire.call(team, "list_agents", [:], token: TeamFixture.bobBearer).0
            #expect(listed.isError == true)
            let ready = try await Wire.send(team.base + "/readyz", method: .GET)
            #expect(ready.status == 503)
            #expect(ready.text == "{\"failing\":1,\"ready\":false,\"users\":2}" || ready.text.contains("\"failing\":1"))
            #expect(!ready.text.contains("bob") && !ready.text.contains("dead000001"))
        }
    }

    static let initialize = try! Wire.encode(
        Initialize.request(.init(protocolVersion: "2025-06-18", capabilities: .init(), clientInfo: .init(name: "t", version: "1"))))

    @Test func statefulStreams() async throws {
        var options = HTTPServerOptions(port: 0, stateful: true)
        options.maxStreamLifetime = .milliseconds(600)
        try await TeamFixture.with(options) { team in
            let opened = try await Wire.send(team.endpoint, body: Self.initialize, token: TeamFixture.aliceBearer)
            #expect(opened.status == 200)
            let session = try #require(opened.header("mcp-session-id"))
            let sessionHeaders = [("Mcp-Session-Id", session), ("MCP-Protocol-Version", "2025-06-18")]
            let initialized = try await Wire.send(
                team.endpoint, body: try JSONEncoder().encode(InitializedNotification.message()),
                token: TeamFixture.aliceBearer, headers: sessionHeaders)
            #expect(initialized.status == 202)
            // The standing GET stream ends at the lifetime cap; the client resumes it with Last-Event-ID.
            let started = ContinuousClock.now
            let stream = try await Wire.send(team.endpoint, method: .GET, token: TeamFixture.aliceBearer, headers: sessionHeaders)
            let lasted = ContinuousClock.now - started
            #expect(stream.status == 200)
            #expect(lasted >= .milliseconds(500) && lasted < .seconds(5), "the GET stream lasted \(lasted)")
            let eventID = try #require(
                stream.text.split(separator: "\n").first { $0.hasPrefix("id:") }?.dropFirst(3)
                    .trimmingCharacters(in: .whitespaces))
            // Another user cannot use the session.
            let stolen = try await Wire.send(team.endpoint, body: HTTPServerTests.listTools, token: TeamFixture.bobBearer, headers: sessionHeaders)
            #expect(stolen.status == 404)
            let resumed = try await Wire.send(
                team.endpoint, method: .GET, token: TeamFixture.aliceBearer,
                headers: sessionHeaders + [("Last-Event-ID", eventID)])
            #expect(resumed.status == 200)
        }
    }

    @Test func shutdownClosesStandingStreams() async throws {
        try await TeamFixture.with(HTTPServerOptions(port: 0, stateful: true)) { team in
            let opened = try await Wire.send(team.endpoint, body: Self.initialize, token: TeamFixture.aliceBearer)
            let session = try #require(opened.header("mcp-session-id"))
            let standing = Task {
                try await Wire.send(
                    team.endpoint, method: .GET, token: TeamFixture.aliceBearer,
                    headers: [("Mcp-Session-Id", session), ("MCP-Protocol-Version", "2025-06-18")])
            }
            // Shut down only once the GET stream stands (a fixed pause was too short on a loaded machine).
            let deadline = ContinuousClock.now + .seconds(10)
            while team.server.streams.open == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(team.server.streams.open == 1)
            let started = ContinuousClock.now
            try await team.server.shutdown()
            #expect(ContinuousClock.now - started < .seconds(3), "shutdown does not wait for a standing GET stream")
            #expect(try await standing.value.status == 200)
        }
    }
}
