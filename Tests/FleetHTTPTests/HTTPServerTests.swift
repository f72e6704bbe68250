import CoderAPI
import Foundation
import MCP
import NIOHTTP1
import Testing

@testable import FleetHTTP

/// fleet-mcp over Streamable HTTP in-process, against the sandbox: guards, identity, health, metrics, shutdown.
@Suite(.serialized) struct HTTPServerTests {
    static let listTools = try! Wire.encode(ListTools.request(.init()))

    @Test func refusesWithoutValidToken() async throws {
        try await TeamFixture.with { team in
            let missing = try await Wire.send(team.endpoint, body: Self.listTools)
            #expect(missing.status == 401)
            let challenge = try #require(missing.header("WWW-Authenticate"))
            #expect(challenge.hasPrefix("Bearer "))
            #expect(challenge.contains("resource_metadata=\"http://127.0.0.1:\(team.server.port)/.well-known/oauth-protected-resource/mcp\""))
            let wrong = try await Wire.send(team.endpoint, body: Self.listTools, token: "fleet-alice-0123456789abcdeX")
            #expect(wrong.status == 401)
            #expect(wrong.header("WWW-Authenticate")?.contains("error=\"invalid_token\"") == true)
            #expect(!wrong.text.contains("fleet-alice"), "a refusal never echoes the token")
            let malformed = try await Wire.send(team.endpoint, body: Self.listTools, headers: [("Authorization", "Basic abc")])
            #expect(malformed.status == 400)
            let metadata = try await Wire.send(team.base + "/.well-known/oauth-protected-resource/mcp", method: .GET)
            #expect(metadata.status == 200)
            #expect(
                metadata.text.contains("\"resource\":\"http:\\/\\/127.0.0.1:\(team.server.port)\\/mcp\"")
                    || metadata.text.contains("\"resource\":\"http://127.0.0.1:\(team.server.port)/mcp\""))
            let metrics = team.metrics.exposition()
            #expect(metrics.contains("fleet_mcp_auth_failures_total{reason=\"missing\"} 1"))
            #expect(metrics.contains("fleet_mcp_auth_failures_total{reason=\"unknown\"} 1"))
            #expect(metrics.contains("fleet_mcp_auth_failures_total{reason=\"malformed\"} 1"))
        }
    }

    @Test func refusesForeignOriginAndHost() async throws {
        try await TeamFixture.with { team in
            let foreign = try await Wire.send(
                team.endpoint, body: Self.listTools, token: TeamFixture.aliceBearer,
                headers: [("Origin", "https://evil.example")])
            #expect(foreign.status == 403)
            let local = try await Wire.send(
                team.endpoint, body: Self.listTools, token: TeamFixture.aliceBearer,
                headers: [("Origin", "http://localhost:3000")])
            #expect(local.status == 200)
            let rebound = try await Wire.send(
                team.endpoint, body: Self.listTools, token: TeamFixture.aliceBearer,
                headers: [("Host", "evil.example:\(team.server.port)")])
            #expect(rebound.status == 421)
            // Before issue 22 the protected-resource metadata echoed any Host it was sent.
            let metadata = try await Wire.send(
                team.base + "/.well-known/oauth-protected-resource/mcp", method: .GET, headers: [("Host", "evil.example")])
            #expect(metadata.status == 421, "\(metadata.text)")
            #expect(!metadata.text.contains("evil.example"))
            #expect(team.metrics.exposition().contains("fleet_mcp_http_rejections_total{reason=\"origin\"} 1"))
        }
    }

    @Test func allowedHostsAndOrigins() async throws {
        let options = HTTPServerOptions(
            port: 0, allowedHosts: ["Fleet.example.com"], allowedOrigins: ["https://app.example.com"], publicURL: "https://fleet.example.com/mcp")
        try await TeamFixture.with(options) { team in
            let cases = [
                ("fleet.example.com", "https://fleet.example.com", 200), ("fleet.example.com:443", "https://app.example.com", 200),
                // Host names are case-insensitive (before issue 22, these got 421 and 403).
                ("FLEET.Example.COM", "https://Fleet.Example.com", 200), ("fleet.example.com", "https://APP.example.com", 200),
                ("other.example.com", "https://fleet.example.com", 421), ("fleet.example.com", "https://other.example", 403),
            ]
            for (host, origin, status) in cases {
                let answer = try await Wire.send(
                    team.endpoint, body: Self.listTools, token: TeamFixture.aliceBearer,
                    headers: [("Host", host), ("Origin", origin)])
                #expect(answer.status == status, "Host \(host), Origin \(origin)")
            }
            // The metadata names the configured public URL, whatever allowed Host the request came with.
            let metadata = try await Wire.send(
                team.base + "/.well-known/oauth-protected-resource/mcp", method: .GET, headers: [("Host", "FLEET.example.com")])
            #expect(metadata.status == 200)
            #expect(metadata.text.contains("fleet.example.com\\/mcp") || metadata.text.contains("fleet.example.com/mcp"), "\(metadata.text)")
        }
    }

    @Test func capsBodyAndConcurrency() async throws {
        var options = HTTPServerOptions(port: 0)
        options.maxBodyBytes = 4096
        try await TeamFixture.with(options, maxConcurrent: 1) { team in
            let pad = String(repeating: "x", count: 8192)
            let big = Data(("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\"" + pad + "\"}}").utf8)
            #expect(try await Wire.send(team.endpoint, body: big, token: TeamFixture.aliceBearer).status == 413)
            // alice holds her one slot with a wait; her second request is refused, bob is not affected.
            let created = try await Wire.call(
                team, "create_agent", ["name": "slot", "project": "Webshop", "task": "Check the logs"],
                token: TeamFixture.aliceBearer
            ).0
            #expect(created.isError != true, "\(Wire.text(created))")
            async let waiting = Wire.call(
                team, "wait_for_agent", ["agent_name": "slot", "until": "deleted", "timeout_seconds": 2],
                token: TeamFixture.aliceBearer)
            try await Task.sleep(for: .milliseconds(400))
            let refused = try await Wire.send(team.endpoint, body: Self.listTools, token: TeamFixture.aliceBearer)
            #expect(refused.status == 429)
            #expect(refused.header("Retry-After") == "1")
            #expect(try await Wire.send(team.endpoint, body: Self.listTools, token: TeamFixture.bobBearer).status == 200)
            _ = try await waiting
            #expect(try await Wire.send(team.endpoint, body: Self.listTools, token: TeamFixture.aliceBearer).status == 200)
        }
    }

    @Test func statelessCallsWithProgressAsSSE() async throws {
        try await TeamFixture.with { team in
            let tools = try await Wire.send(team.endpoint, body: Self.listTools, token: TeamFixture.aliceBearer)
            #expect(tools.status == 200)
            #expect(tools.header("content-type")?.hasPrefix("application/json") == true)
            #expect(tools.header("mcp-session-id") == nil, "stateless: no session")
            let names = try JSONDecoder().decode(Response<ListTools>.self, from: tools.message).result.get().tools.map(\.name)
            #expect(names.contains("wait_for_agent") && names.contains("create_agent"))

            let created = try await Wire.call(
                team, "create_agent", ["name": "progress", "project": "Webshop", "task": "Fix the cache"],
                token: TeamFixture.aliceBearer
            ).0
            #expect(created.isError != true, "\(Wire.text(created))")
            let (waited, answer) = try await Wire.call(
                team, "wait_for_agent", ["agent_name": "progress", "until": "settled", "timeout_seconds": 10],
                token: TeamFixture.aliceBearer, progressToken: .string("p-1"))
            #expect(waited.isError != true, "\(Wire.text(waited))")
            #expect(answer.header("content-type")?.hasPrefix("text/event-stream") == true)
            let progress = answer.events.dropLast().compactMap { try? JSONDecoder().decode(Message<ProgressNotification>.self, from: Data($0.utf8)) }
            #expect(!progress.isEmpty, "progress notifications precede the response: \(answer.text.prefix(400))")
            #expect(progress.allSatisfy { $0.params.progressToken == .string("p-1") })
            let values = progress.map(\.params.progress)
            #expect(values == values.sorted(), "progress only increases")
        }
    }

    @Test func usersSeeOnlyTheirOwnFleet() async throws {
        try await TeamFixture.with { team in
            for (user, token) in [("alice", TeamFixture.aliceBearer), ("bob", TeamFixture.bobBearer)] {
                let arguments: [String: Value] = ["name": .string("\(user)-one"), "project": "Webshop", "task": "Tidy up"]
                let created = try await Wire.call(team, "create_agent", arguments, token: token).0
                #expect(created.isError != true, "\(Wire.text(created))")
            }
            #expect(await team.sandbox.sessionTokens().map(\.username) == ["alice", "bob"])
            for (user, other, token) in [("alice", "bob", TeamFixture.aliceBearer), ("bob", "alice", TeamFixture.bobBearer)] {
                let list = Wire.structured(try await Wire.call(team, "list_agents", [:], token: token).0)
                let names = list["agents"]?.arrayValue?.compactMap { $0.objectValue?["name"]?.stringValue } ?? []
                #expect(names == ["\(user)-one"], "\(user) sees \(names)")
                let shown = try await Wire.call(team, "show_agent", ["agent_name": .string("\(other)-one")], token: token).0
                #expect(shown.isError == true)
            }
            // Even by workspace id, in both directions (alice is a Coder admin: fleet-mcp itself refuses).
            let bobShown = Wire.structured(try await Wire.call(team, "show_agent", ["agent_name": "bob-one"], token: TeamFixture.bobBearer).0)
            let bobID = try #require(bobShown["agent"]?.objectValue?["workspace_id"]?.stringValue)
            let aliceShown = Wire.structured(try await Wire.call(team, "show_agent", ["agent_name": "alice-one"], token: TeamFixture.aliceBearer).0)
            let aliceID = try #require(aliceShown["agent"]?.objectValue?["workspace_id"]?.stringValue)
            for (id, token) in [(bobID, TeamFixture.aliceBearer), (aliceID, TeamFixture.bobBearer)] {
                for (tool, extra) in [
                    ("show_agent", [String: Value]()), ("start_agent_task", ["task_description": "Leak secrets"]),
                    ("cancel_agent_task", [:]), ("delete_agent", [:]),
                ] {
                    let result = try await Wire.call(team, tool, extra.merging(["agent_name": .string(id)]) { $1 }, token: token).0
                    #expect(result.isError == true, "\(tool) on another user's workspace id must fail: \(Wire.text(result))")
                }
            }
            let stillThere = try await Wire.call(team, "show_agent", ["agent_name": "bob-one"], token: TeamFixture.bobBearer).0
            #expect(stillThere.isError != true)
        }
    }

    /// Stateless tool calls are answered below the SDK (`DirectToolCalls`): the same JSON-RPC answers, errors included.
    @Test func statelessToolCallsAnswerLikeTheSDK() async throws {
        try await TeamFixture.with { team in
            let unknown = try await Wire.send(
                team.endpoint, body: try Wire.encode(CallTool.request(id: .number(5), .init(name: "no_such_tool"))), token: TeamFixture.aliceBearer)
            #expect(unknown.status == 200)
            let error = try JSONDecoder().decode(Value.self, from: Data(unknown.text.utf8))
            #expect(error["id"] == .int(5))
            #expect(error["error"]?["code"] == .int(-32602), "\(unknown.text)")
            #expect(error["error"]?["message"]?.stringValue?.contains("list_agents") == true)

            let (listed, answer) = try await Wire.call(team, "list_agents", [:], token: TeamFixture.aliceBearer)
            #expect(answer.header("content-type")?.hasPrefix("application/json") == true)
            #expect(listed.isError == false)
            let text = listed.content.compactMap { if case .text(let text, _, _) = $0 { text } else { nil } }.first ?? ""
            #expect(try JSONDecoder().decode(Value.self, from: Data(text.utf8)) == listed.structuredContent)
        }
    }

    @Test func healthReadinessMetrics() async throws {
        try await TeamFixture.with { team in
            #expect(try await Wire.send(team.base + "/healthz", method: .GET).status == 200)
            let ready = try await Wire.send(team.base + "/readyz", method: .GET)
            #expect(ready.status == 200)
            #expect(ready.text.contains("\"ready\":true"))
            _ = try await Wire.call(team, "list_agents", [:], token: TeamFixture.aliceBearer)
            _ = try await Wire.call(team, "show_agent", ["agent_name": "nobody"], token: TeamFixture.aliceBearer)
            let scraped = try await Wire.send(team.base + "/metrics", method: .GET)
            #expect(scraped.status == 200)
            let text = scraped.text
            #expect(text.contains("fleet_mcp_tool_calls_total{tool=\"list_agents\",outcome=\"ok\"} 1"))
            #expect(text.contains("fleet_mcp_tool_calls_total{tool=\"show_agent\",outcome=\"tool_error\"} 1"))
            #expect(text.contains("fleet_mcp_tool_call_duration_seconds_bucket{tool=\"list_agents\""))
            #expect(text.contains("fleet_mcp_tool_calls_in_flight 0.0\n"))
            #expect(text.contains("route=\"/api/v2/workspaces\""))
            #expect(text.contains("route=\"/api/v2/users/{user}/workspace/{workspacename}\",status=\"404\""))
            #expect(!text.contains("nobody") && !text.contains(TeamFixture.aliceCoderToken) && !text.contains(TeamFixture.aliceBearer))
            let uuid = try Regex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
            #expect(text.firstMatch(of: uuid) == nil, "no ids in labels")
        }
    }

    @Test func refusesNonLoopbackWithoutAuthentication() async throws {
        let user = try UserFactory(
            makeClient: { CoderClient(baseURL: URL(string: "http://127.0.0.1:9")!, token: $0, transport: Unreachable()) },
            configuration: .init(), version: "t"
        )
        .user(name: "local", token: .init("x-y"))
        #expect(throws: HTTPServerSetupError.self) {
            try FleetHTTPServer(options: HTTPServerOptions(host: "0.0.0.0", port: 0), authenticator: .none(user), metrics: FleetMetrics())
        }
        _ = try FleetHTTPServer(options: HTTPServerOptions(host: "127.0.0.1", port: 0), authenticator: .none(user), metrics: FleetMetrics())
    }

    @Test func gracefulShutdownFinishesAcceptedCalls() async throws {
        try await TeamFixture.with { team in
            _ = try await Wire.call(
                team, "create_agent", ["name": "drain", "project": "Webshop", "task": "Read the code"],
                token: TeamFixture.aliceBearer)
            let calls = (0..<6).map { index in
                Task {
                    try await Wire.call(
                        team, index % 2 == 0 ? "wait_for_agent" : "list_agents",
                        index % 2 == 0 ? ["agent_name": "drain", "until": "deleted", "timeout_seconds": 2] : [:],
                        token: TeamFixture.aliceBearer
                    ).0
                }
            }
            try await Task.sleep(for: .milliseconds(500))
            let started = ContinuousClock.now
            try await team.server.shutdown()
            #expect(ContinuousClock.now - started > .milliseconds(800), "shutdown waited for the 2 s waits")
            for call in calls {
                let result = try await call.value
                #expect(result.isError != true, "\(Wire.text(result))")
            }
            await #expect(throws: (any Error).self, "no longer listening") {
                try await Wire.send(team.endpoint, body: Self.listTools, token: TeamFixture.aliceBearer, timeout: 3)
            }
        }
    }
}

/// A Coder that is never reached.
struct Unreachable: HTTPTransport {
    func send(_ request: CoderHTTPRequest) async throws -> CoderHTTPResponse {
        throw TransportError(request: request.description, reason: "unreachable")
    }
}
