import AsyncHTTPClient
import CoderAPI
import CoderSandbox
import Foundation
import Testing

/// Every fault kind, as a client receives it.
@Suite struct FaultInjectionTests {
    static func options(_ spec: String, seed: UInt64? = nil, version: SandboxVersion = .v2_35) throws -> SandboxOptions {
        .testing(version, faults: try FaultPlan(parsing: spec, seed: seed))
    }

    @Test func serverErrors() async throws {
        let spec = "GET /api/v2/buildinfo: 500@1; GET /api/v2/users/me: 502@1; GET /api/v2/organizations: 503@1"
        try await withSandbox(try Self.options(spec)) { sandbox in
            let http = SandboxHTTP(sandbox)
            let serverError = try await http.get("/api/v2/buildinfo")
            #expect(serverError.status == 500)
            #expect(serverError.message == "An internal server error occurred.")
            let gateway = try await http.get("/api/v2/users/me")
            #expect(gateway.status == 502)
            #expect(gateway.header("Content-Type") == "text/html")
            #expect(gateway.text.contains("<h1>502 Bad Gateway</h1>"))
            let unavailable = try await http.get("/api/v2/organizations")
            #expect(unavailable.status == 503)
            #expect(unavailable.text.contains("503 Service Temporarily Unavailable"))
            // Other routes are untouched.
            #expect(try await http.get("/api/v2/templates").status == 200)
        }
    }

    @Test func rateLimitsSayWhenToComeBack() async throws {
        try await withSandbox(try Self.options("/api/v2/buildinfo: 429@1/3; /api/v2/templates: 429@1")) { sandbox in
            let http = SandboxHTTP(sandbox)
            let limited = try await http.get("/api/v2/buildinfo")
            #expect(limited.status == 429)
            #expect(limited.header("Retry-After") == "3")
            #expect(limited.message?.hasPrefix("You've been rate limited") == true)
            #expect(try await http.get("/api/v2/templates").header("Retry-After") == "1")
        }
    }

    @Test func aBuildAlreadyActiveHasNoEffect() async throws {
        try await withSandbox(try Self.options("POST /api/v2/workspaces/*/builds: 409@1")) { sandbox in
            let http = SandboxHTTP(sandbox)
            let workspace = try await http.createWorkspace("agent-busy")
            try await eventually("the first build") { try await http.workspace(workspace.id).latestBuild.job.status == .succeeded }
            let stop = try await http.send(.POST, "/api/v2/workspaces/\(workspace.id)/builds", json: CreateWorkspaceBuildRequest(transition: .stop))
            #expect(stop.status == 409)
            #expect(stop.message == "A workspace build is already active.")
            let builds: [WorkspaceBuild] = try await http.json(.GET, "/api/v2/workspaces/\(workspace.id)/builds")
            #expect(builds.count == 1)
            #expect(builds.first?.transition == .start)
        }
    }

    @Test func latencyAndSpikes() async throws {
        let spec = "/api/v2/buildinfo: latency=200ms; /api/v2/templates: spike=200ms@1; /api/v2/organizations: spike=5s@0"
        try await withSandbox(try Self.options(spec)) { sandbox in
            let http = SandboxHTTP(sandbox)
            for (target, slow) in [
                ("/api/v2/buildinfo", true), ("/api/v2/templates", true), ("/api/v2/organizations", false),
                ("/api/v2/users/me", false),
            ] {
                let started = ContinuousClock.now
                let answer = try await http.get(target)
                let took = ContinuousClock.now - started
                #expect(answer.status == 200)
                if slow {
                    #expect(took >= .milliseconds(200), "\(target) took \(took)")
                } else {
                    #expect(took < .seconds(6), "\(target) took \(took)")
                }
            }
        }
    }

    @Test func hungRequestsNeverAnswerButTheRestDoes() async throws {
        let stopped = try await withSandbox(try Self.options("GET /api/v2/buildinfo: hang@1")) { sandbox in
            let http = SandboxHTTP(sandbox)
            let started = ContinuousClock.now
            await #expect(throws: HTTPClientError.deadlineExceeded) {
                _ = try await http.send(.GET, "/api/v2/buildinfo", timeout: .milliseconds(300))
            }
            #expect(ContinuousClock.now - started < .seconds(5))
            // Another request, while the first still hangs on the server.
            let hanging = Task { try? await http.send(.GET, "/api/v2/buildinfo", timeout: .seconds(60)) }
            try await Task.sleep(for: .milliseconds(100))
            #expect(try await http.get("/api/v2/users/me").status == 200)
            #expect(sandbox.requestCount == 3)
            return hanging
        }
        // Stopping the sandbox ends the hung request instead of waiting for it.
        let started = ContinuousClock.now
        #expect(await stopped.value == nil)
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func aResetComesAfterTheRequestTookEffect() async throws {
        try await withSandbox(try Self.options("POST /api/v2/users/*/workspaces: reset@1")) { sandbox in
            let http = SandboxHTTP(sandbox)
            await #expect(throws: (any Error).self) { _ = try await http.createWorkspace("agent-reset") }
            let list: WorkspacesResponse = try await http.json(.GET, "/api/v2/workspaces?q=owner:me")
            #expect(list.workspaces.map(\.name) == ["agent-reset"], "the workspace exists although the answer was lost")
        }
    }

    @Test func truncatedAndMalformedBodies() async throws {
        let spec = "GET /api/v2/workspaces: truncate@1; GET /api/v2/users/me: malformed@1; GET /api/v2/templates: truncate@0, malformed@0"
        try await withSandbox(try Self.options(spec)) { sandbox in
            let http = SandboxHTTP(sandbox)
            _ = try await http.createWorkspace("agent-one")
            let truncated = try await http.get("/api/v2/workspaces")
            #expect(truncated.status == 200)
            #expect(!truncated.isJSON)
            #expect(truncated.text.hasPrefix("{\"workspaces\":[{"))
            #expect(Int(truncated.header("Content-Length") ?? "") == truncated.body.count)
            let malformed = try await http.get("/api/v2/users/me")
            #expect(malformed.status == 200)
            #expect(!malformed.isJSON)
            #expect(malformed.text.hasPrefix("{,\""))
            let intact = try await http.get("/api/v2/templates")
            #expect(intact.isJSON)
        }
    }

    @Test func aRevokedTokenAnswers401AfterNRequests() async throws {
        try await withSandbox(try Self.options("*: 401-after=3")) { sandbox in
            let http = SandboxHTTP(sandbox)
            for _ in 0..<3 { #expect(try await http.get("/api/v2/users/me").status == 200) }
            for target in ["/api/v2/users/me", "/api/v2/buildinfo", "/@alice/x/apps/ccw/status"] {
                let revoked = try await http.get(target)
                #expect(revoked.status == 401, "\(target)")
                #expect(revoked.message == "You are signed out or your session has expired. Please sign in again to continue.")
                #expect(revoked.object?["detail"] as? String == "API key expired.")
            }
        }
    }

    @Test func theSameSeedFailsTheSameRequests() async throws {
        func statuses(seed: UInt64) async throws -> [Int] {
            try await withSandbox(try Self.options("GET /api/v2/buildinfo: 503@0.5", seed: seed)) { sandbox in
                let http = SandboxHTTP(sandbox)
                var statuses: [Int] = []
                for _ in 0..<40 { statuses.append(try await http.get("/api/v2/buildinfo").status) }
                return statuses
            }
        }
        let first = try await statuses(seed: 7), second = try await statuses(seed: 7), other = try await statuses(seed: 8)
        #expect(first == second)
        #expect(first != other)
        #expect(Set(first) == [200, 503])
        #expect((8...32).contains(first.filter { $0 == 503 }.count))
    }

    @Test func withoutAFaultSeedTheSandboxSeedDecides() async throws {
        func statuses(randomSeed: UInt64) async throws -> [Int] {
            var seed = SandboxSeed.default
            seed.randomSeed = randomSeed
            var options = SandboxOptions.testing(seed: seed)
            options.faults = try FaultPlan(parsing: "GET /api/v2/buildinfo: 500@0.5")
            return try await withSandbox(options) { sandbox in
                var statuses: [Int] = []
                for _ in 0..<30 { statuses.append(try await SandboxHTTP(sandbox).get("/api/v2/buildinfo").status) }
                return statuses
            }
        }
        #expect(try await statuses(randomSeed: 1) == statuses(randomSeed: 1))
        #expect(try await statuses(randomSeed: 1) != statuses(randomSeed: 2))
    }

    @Test func faultedRequestsAreStillLogged() async throws {
        try await withSandbox(try Self.options("*: 503@1")) { sandbox in
            let http = SandboxHTTP(sandbox)
            _ = try await http.get("/api/v2/workspaces?q=owner%3Ame")
            #expect(sandbox.requestLog == [SandboxRequestRecord(method: "GET", path: "/api/v2/workspaces", query: "q=owner%3Ame")])
        }
    }
}
