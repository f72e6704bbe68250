import CoderAPI
import CoderSandbox
import Fleet
import FleetMCP
import Foundation
import MCP
import Testing

/// wait_for_fleet: every attention event exactly once across calls, at one Coder request per poll.
@Suite struct FleetAttentionTests {
    @Test func aLoopOnTheCursorSeesEachEventOnce() async throws {
        try await SandboxFleet.with(version: .v2_35) { env, mcp in
            let prompts = [
                "ana": "Fix the rounding error in the cart total", "bo": "[needs-input] Should prices include tax",
                "cy": "[fail] Rewrite the payment module", "di": "Add a changelog entry for the release",
            ]
            let started = try await mcp.ok("wait_for_fleet", ["timeout_seconds": 0.1])
            var cursor = try #require(started["cursor"]?.stringValue)
            for (name, prompt) in prompts.sorted(by: { $0.key < $1.key }) {
                _ = try await mcp.ok("create_agent", ["name": .string(name), "project": "webshop", "task": .string(prompt)])
            }
            var seen: [String: [String]] = [:]
            for _ in 0..<40 {
                let answer = try await mcp.ok("wait_for_fleet", ["since": .string(cursor), "timeout_seconds": 5])
                cursor = try #require(answer["cursor"]?.stringValue)
                for event in answer["events"]?.arrayValue ?? [] {
                    seen[event["agent"]?.stringValue ?? "?", default: []].append(event["new_status"]?.stringValue ?? "?")
                }
                let settled = Set(seen.filter { !$0.value.isEmpty }.keys)
                if settled == Set(prompts.keys), seen["bo"]?.contains("needs_input") == true, seen["cy"]?.contains("failed") == true,
                    seen["ana"]?.contains("complete") == true, seen["di"]?.contains("complete") == true
                {
                    break
                }
            }
            #expect(seen["ana"] == ["complete"], "\(seen)")
            #expect(seen["bo"] == ["needs_input"], "\(seen)")
            #expect(seen["cy"]?.filter { $0 == "failed" }.count == 1, "\(seen)")
            #expect(seen["di"] == ["complete"], "\(seen)")
            // Nothing new: the same cursor returns nothing (and times out).
            let quiet = try await mcp.ok("wait_for_fleet", ["since": .string(cursor), "timeout_seconds": 0.3])
            #expect(quiet["events"]?.arrayValue?.isEmpty == true)
            #expect(quiet["timed_out"] == .bool(true))
        }
    }

    @Test func onePollIsOneRequestWhateverTheFleetSize() async throws {
        try await SandboxFleet.with(version: .v2_35) { env, mcp in
            for index in 0..<10 {
                _ = try await mcp.ok("create_agent", ["name": .string("p\(index)"), "project": "webshop", "task": "Add a test"])
            }
            _ = try await mcp.ok("list_agents")  // template versions are cached now
            let before = env.counter.requests.count
            let answer = try await mcp.ok("wait_for_fleet", ["timeout_seconds": 1.5, "until": "deleted"])
            let polls = try #require(answer["polls"]?.intValue)
            #expect(polls >= 2)
            #expect(env.counter.requests.count - before == polls, "one workspace list per poll")
            #expect(env.counter.requests.suffix(polls).allSatisfy { $0.url.path == "/api/v2/workspaces" })
        }
    }

    /// The same one request per poll with 1,000 agents as with 10.
    @Test func onePollIsOneRequestWithAThousandAgents() async throws {
        try await SandboxFleet.with(version: .v2_35) { env, mcp in
            try await env.sandbox.seedFleet(agents: 1000, statusesPerAgent: 3, prefix: "agent-k")
            _ = try await mcp.ok("list_agents", ["limit": 5])
            let before = env.counter.requests.count
            let answer = try await mcp.ok("wait_for_fleet", ["timeout_seconds": 1, "until": "deleted"])
            let polls = try #require(answer["polls"]?.intValue)
            #expect(answer["agents_watched"]?.intValue == 1000)
            #expect(polls >= 1)
            #expect(env.counter.requests.count - before == polls, "one workspace list per poll")
        }
    }

    @Test func attentionIsTheInboxOldestFirst() async throws {
        try await SandboxFleet.with(version: .v2_35) { env, mcp in
            _ = try await mcp.ok("create_agent", ["name": "first", "project": "webshop", "task": "[needs-input] Which currency"])
            _ = try await mcp.ok("wait_for_agent", ["agent_name": "first", "until": "needs_input", "timeout_seconds": 30])
            _ = try await mcp.ok("create_agent", ["name": "second", "project": "webshop", "task": "Fix the cart badge"])
            _ = try await mcp.ok("wait_for_agent", ["agent_name": "second", "until": "complete", "timeout_seconds": 30])
            _ = try await mcp.ok("create_agent", ["name": "third", "project": "webshop", "task": "[slow] Refactor pricing"])
            let inbox = try await mcp.ok("list_agents", ["status_filter": "attention"])
            #expect(strings(inbox["agents"], "name") == ["first", "second"])
        }
    }

    @Test func badCursorsAndFiltersAreClearErrors() async throws {
        try await SandboxFleet.with(version: .v2_35) { env, mcp in
            let cursor = try await mcp.failure("wait_for_fleet", ["since": "yesterday"])
            #expect(cursor.contains("not a cursor"))
            let until = try await mcp.failure("wait_for_fleet", ["until": "sleepy"])
            #expect(until.contains("Unknown until"))
            let names = try await mcp.failure("wait_for_fleet", ["agent_names": "a/b"])
            #expect(names.contains("not an agent name"))
        }
    }
}
