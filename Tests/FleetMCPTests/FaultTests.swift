import CoderAPI
import CoderSandbox
import Fleet
import FleetMCP
import Foundation
import MCP
import Testing

/// Every fault the sandbox can inject, and fleet-mcp's answer: reads retry, writes happen once, every failure is
/// a clear result within the call's deadline, and the server keeps answering.
@Suite struct FaultTests {
    func plan(_ spec: String) throws -> FaultPlan { try FaultPlan(parsing: spec, seed: 7) }

    @Test func serverErrorsOnReadsAreRetriedThenReported() async throws {
        try await SandboxFleet.with(faults: try plan("GET /api/v2/workspaces: 503@1")) { env, mcp in
            let started = ContinuousClock.now
            let text = try await mcp.failure("list_agents")
            #expect(text.contains("HTTP 503") && text.contains("try again"), "\(text)")
            #expect(ContinuousClock.now - started < .seconds(5))
            let attempts = env.counter.requests.filter { $0.url.path == "/api/v2/workspaces" }.count
            #expect(attempts == RetryPolicy().maxAttempts, "a read is retried, then reported")
        }
        try await SandboxFleet.with(faults: try plan("GET /api/v2/workspaces: 502@0.5")) { env, mcp in
            for _ in 0..<6 { _ = try await mcp.ok("list_agents") }
        }
    }

    @Test func rateLimitsSayWhenToRetry() async throws {
        try await SandboxFleet.with(faults: try plan("GET /api/v2/workspaces: 429@1/3")) { env, mcp in
            let text = try await mcp.failure("list_agents")
            #expect(text.contains("HTTP 429") && text.contains("try again in 3 s"), "\(text)")
        }
    }

    @Test func latencyAndSpikesOnlySlowCallsDown() async throws {
        try await SandboxFleet.with(faults: try plan("GET /api/v2/workspaces: latency=200ms, spike=300ms@0.5")) { env, mcp in
            let started = ContinuousClock.now
            _ = try await mcp.ok("list_agents")
            #expect(ContinuousClock.now - started >= .milliseconds(200))
        }
    }

    @Test func aHungRequestEndsAtTheCallDeadlineAndOtherCallsGoOn() async throws {
        try await SandboxFleet.with(faults: try plan("GET /api/v2/workspaces: hang@1"), callTimeout: .seconds(3)) { env, mcp in
            let started = ContinuousClock.now
            async let hung = mcp.call("list_agents")
            // Meanwhile the server answers other calls: this one finishes while the hung call is still waiting.
            try await Task.sleep(for: .milliseconds(100))
            _ = try await mcp.ok("list_agent_projects")
            let answeredOther = ContinuousClock.now - started
            let result = try await hung
            let hungFor = ContinuousClock.now - started
            #expect(answeredOther < hungFor, "another call was answered while one hung")
            #expect(result.isError == true)
            #expect(mcp.text(result).contains("did not answer"), "\(mcp.text(result))")
            #expect(hungFor >= .seconds(2) && hungFor < .seconds(8), "the hung call ends at its 3 s deadline, not never: \(hungFor)")
        }
    }

    @Test func aCreateWhoseAnswerIsLostCreatesExactlyOneAgent() async throws {
        try await SandboxFleet.with(faults: try plan("POST /api/v2/tasks/*: reset@1")) { env, mcp in
            let created = try await mcp.ok("create_agent", ["name": "once", "project": "webshop", "task": "Fix the badge"])
            #expect(created["agent"]?.stringValue == "once")
            let again = try await mcp.failure("create_agent", ["name": "once", "project": "webshop", "task": "Fix the badge"])
            #expect(again.contains("already exists"))
            let workspaces = try await env.coder.workspaces(WorkspaceFilter(owner: "me")).workspaces
            #expect(workspaces.filter { $0.name == "agent-once" }.count == 1)
            #expect(env.counter.requests.filter { $0.method == "POST" && $0.url.path.hasPrefix("/api/v2/tasks") }.count == 1)
        }
    }

    @Test func aTaskWhoseAnswerNeverComesIsNeverSentTwice() async throws {
        try await SandboxFleet.with(faults: try plan("POST /api/v2/tasks/*/*/send: hang@1"), callTimeout: .seconds(2)) { env, mcp in
            _ = try await mcp.ok("create_agent", ["name": "sendonce", "project": "webshop", "task": "Investigate the logs"])
            _ = try await mcp.ok("wait_for_agent", ["agent_name": "sendonce", "until": "settled", "timeout_seconds": 30])
            let text = try await mcp.failure("start_agent_task", ["agent_name": "sendonce", "task_description": "Add a test"])
            #expect(text.contains("did not answer"), "\(text)")
            #expect(env.counter.requests.filter { $0.url.path.hasSuffix("/send") }.count == 1, "a write is never retried")
        }
    }

    @Test(arguments: ["truncate", "malformed"])
    func brokenBodiesAreReported(_ fault: String) async throws {
        try await SandboxFleet.with(faults: try plan("GET /api/v2/workspaces: \(fault)@1")) { env, mcp in
            let text = try await mcp.failure("list_agents")
            #expect(text.contains("could not be read") || text.contains("cut off") || text.contains("closed the connection"), "\(text)")
        }
    }

    @Test func aResetReadIsRetried() async throws {
        try await SandboxFleet.with(faults: try plan("GET /api/v2/templates: reset@0.5")) { env, mcp in
            for _ in 0..<4 { _ = try await mcp.ok("list_agent_projects") }
        }
    }

    @Test func aRevokedTokenNamesTheCredentialOnEveryToolAndTheServerGoesOn() async throws {
        try await SandboxFleet.with(faults: try plan("*: 401-after=0")) { env, mcp in
            for (tool, arguments) in [
                ("list_agents", [String: Value]()), ("show_agent", ["agent_name": "x"]), ("list_agent_projects", [:]),
                ("wait_for_fleet", ["timeout_seconds": 0.2]), ("create_agent", ["name": "y", "project": "webshop", "task": "t"]),
            ] {
                let text = try await mcp.failure(tool, arguments)
                #expect(text.contains("CODER_SESSION_TOKEN") && text.contains("HTTP 401"), "\(tool): \(text)")
            }
        }
    }

    @Test func aBuildAlreadyActiveIsAConflictWithWhatToDo() async throws {
        try await SandboxFleet.with(faults: try plan("POST /api/v2/workspaces/*/builds: 409@1")) { env, mcp in
            _ = try await mcp.ok("create_agent", ["name": "busybuild", "project": "webshop", "task": "Investigate"])
            _ = try await mcp.ok("wait_for_agent", ["agent_name": "busybuild", "until": "settled", "timeout_seconds": 30])
            let restart = try await mcp.failure("restart_agent", ["agent_name": "busybuild"])
            #expect(restart.contains("build in progress") && restart.contains("wait_for_agent"), "\(restart)")
            let delete = try await mcp.failure("delete_agent", ["agent_name": "busybuild"])
            #expect(delete.contains("build in progress"), "\(delete)")
        }
    }
}
