import CoderAPI
import CoderSandbox
import Foundation
import Testing

/// The router: which answers unknown paths, methods and tokens get, the app proxy's two spellings, and the
/// request log.
@Suite struct RoutingTests {
    @Test func unknownRoutesAnswerLikeCoder() async throws {
        try await withSandbox(.testing()) { sandbox in
            let http = SandboxHTTP(sandbox)
            for target in ["/api/v2/nowhere", "/api/v2/workspaces/a/b/c/d", "/elsewhere"] {
                let answer = try await http.get(target)
                #expect(answer.status == 404, "\(target)")
                #expect(answer.message == "Route not found.", "\(target)")
            }
            // A known path with a method it does not serve.
            let wrongMethod = try await http.send(.PUT, "/api/v2/workspaces")
            #expect(wrongMethod.status == 404)
            #expect(wrongMethod.message == "Route not found.")
            // A path no group of coderd's knows is a 404 before any authentication (v2.35.1 coderd/coderd.go:1423, the
            // /api/v2 router's NotFound ahead of the groups' apiKeyMiddleware); inside an authenticating group
            // (`/workspaces`, coderd.go's r.Route with apiKeyMiddleware) the session is checked first.
            let unknownGroup = try await http.get("/api/v2/nowhere", token: "")
            #expect(unknownGroup.status == 404)
            #expect(unknownGroup.message == "Route not found.")
            let unauthenticated = try await http.get("/api/v2/workspaces/a/b/c/d", token: "")
            #expect(unauthenticated.status == 401)
            #expect(unauthenticated.object?["detail"] as? String == "Cookie \"coder_session_token\" or query parameter must be provided.")
            #expect(try await http.get("/elsewhere", token: "").status == 404)
            let badFormat = try await http.get("/api/v2/users/me", token: "nodash")
            #expect(badFormat.object?["detail"] as? String == "Invalid API key format: expected \"<id>-<secret>\".")
            let unknownKey = try await http.get("/api/v2/users/me", token: "abcdefghij-nope")
            #expect(unknownKey.object?["detail"] as? String == "API key is invalid.")
            // Build info and the agent's report need no user session.
            #expect(try await http.get("/api/v2/buildinfo", token: "").status == 200)
        }
    }

    @Test func pathParametersArePercentDecoded() async throws {
        try await withSandbox(.testing()) { sandbox in
            let http = SandboxHTTP(sandbox)
            #expect(try await http.json(.GET, "/api/v2/users/%61lice", as: User.self).username == "alice")
            let unknown = try await http.get("/api/v2/users/no%2Fbody")
            #expect(unknown.status == 400)
            #expect(unknown.object?["detail"] as? String == "queried user=\"no/body\"")
            let badID = try await http.get("/api/v2/workspaces/not%20a%20uuid")
            #expect(badID.message == "Invalid UUID \"not a uuid\".")
        }
    }

    @Test func theAppProxyAnswersBothSpellingsOfTheOwner() async throws {
        try await withSandbox(.testing()) { sandbox in
            let http = SandboxHTTP(sandbox)
            let workspace = try await http.createWorkspace("agent-proxy", prompt: "Investigate the logs")
            try await eventually("the agent to be ready") {
                try await http.workspace(workspace.id).latestBuild.resources.flatMap { $0.agents ?? [] }.first?.lifecycleState == .ready
            }
            for owner in ["@alice", "%40alice"] {
                let status = try await http.get("/\(owner)/agent-proxy.main/apps/ccw/status")
                #expect(status.status == 200, "\(owner)")
                #expect(status.object?["agent_type"] as? String == "claude")
                let byID = try await http.get("/\(owner)/\(workspace.id)/apps/ccw/messages")
                #expect(byID.status == 200)
                let signedOut = try await http.get("/\(owner)/agent-proxy/apps/ccw/status", token: "")
                #expect(signedOut.status == 303)
                #expect(signedOut.header("Location")?.hasSuffix("redirect=/\(owner)/agent-proxy/apps/ccw/status") == true)
            }
            for target in ["/@alice", "/@alice/agent-proxy", "/@alice/agent-proxy/files/x", "/@alice/nope/apps/ccw/status"] {
                let answer = try await http.get(target)
                #expect(answer.status == 404, "\(target)")
                #expect(answer.text.contains("Application Not Found"), "\(target)")
            }
            let me = try await http.get("/@me/agent-proxy/apps/ccw/status")
            #expect(me.text.contains("not @me"))
            let unknownAgentAPIRoute = try await http.send(.DELETE, "/@alice/agent-proxy/apps/ccw/status")
            #expect(unknownAgentAPIRoute.status == 404)
            #expect(unknownAgentAPIRoute.header("Content-Type") == "application/problem+json")
        }
    }

    @Test func everyRequestIsCountedAndLoggedInOrder() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("requests-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        var options = SandboxOptions.testing()
        options.requestLogFile = file
        let sent = [
            "/api/v2/buildinfo", "/api/v2/workspaces?q=owner%3Ame%20name%3A%22a%20b%22&limit=5", "/api/v2/users/no%2Fbody",
            "/%40alice/x/apps/ccw/status", "/nowhere?x",
        ]
        let log = try await withSandbox(options) { sandbox in
            let http = SandboxHTTP(sandbox)
            for target in sent { _ = try await http.get(target) }
            _ = try await http.send(.POST, "/api/v2/users/me/workspaces", raw: "{not json")
            #expect(sandbox.requestCount == sent.count + 1)
            return sandbox.requestLog
        }
        let expected =
            sent.map { target -> SandboxRequestRecord in
                let parts = target.split(separator: "?", maxSplits: 1).map(String.init)
                return SandboxRequestRecord(method: "GET", path: parts[0], query: parts.count == 2 ? parts[1] : nil)
            } + [SandboxRequestRecord(method: "POST", path: "/api/v2/users/me/workspaces")]
        #expect(log == expected)
        #expect(log.map(\.target).prefix(sent.count) == sent[...])
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        #expect(try lines.map { try JSONDecoder().decode(SandboxRequestRecord.self, from: Data($0.utf8)) } == expected)
    }

    @Test func theRequestLogKeepsTheNewestWithinItsLimit() async throws {
        var options = SandboxOptions.testing()
        options.requestLogLimit = 3
        try await withSandbox(options) { sandbox in
            let http = SandboxHTTP(sandbox)
            for index in 0..<10 { _ = try await http.get("/api/v2/buildinfo?n=\(index)") }
            #expect(sandbox.requestCount == 10)
            #expect(sandbox.requestLog.map(\.query) == ["n=7", "n=8", "n=9"])
        }
    }

    @Test func badBodiesGetCodersMessage() async throws {
        try await withSandbox(.testing()) { sandbox in
            let http = SandboxHTTP(sandbox)
            let answer = try await http.send(.POST, "/api/v2/users/me/workspaces", raw: "{not json")
            #expect(answer.status == 400)
            #expect(answer.message == "Request body must be valid JSON.")
        }
    }
}
