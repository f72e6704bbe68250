import Foundation
import Hummingbird
import Synchronization
import Testing

@testable import CoderAPI

/// Concurrent identical GETs share one request; different tokens, later GETs and writes do not.
@Suite struct SingleFlightTests {
    final class Hits: Sendable {
        let count = Mutex(0)
    }

    static func withSlowServer(_ body: (URL, Hits) async throws -> Void) async throws {
        let hits = Hits()
        let router = Router()
        router.get("/api/v2/workspaces") { _, _ -> String in
            hits.count.withLock { $0 += 1 }
            try await Task.sleep(for: .milliseconds(300))
            return "{\"workspaces\":[],\"count\":0}"
        }
        router.post("/api/v2/workspaces") { _, _ -> String in
            hits.count.withLock { $0 += 1 }
            return "{}"
        }
        try await Loopback.serve(router) { url in try await body(url, hits) }
    }

    static func get(_ base: URL, token: String, method: String = "GET") -> CoderHTTPRequest {
        CoderHTTPRequest(
            method: method, url: URL(string: base.absoluteString + "/api/v2/workspaces")!, headers: [("Coder-Session-Token", token)],
            body: method == "POST" ? Data("{}".utf8) : nil, timeout: .seconds(5))
    }

    @Test func concurrentIdenticalGetsShareOneRequest() async throws {
        try await Self.withSlowServer { url, hits in
            let live = LiveTransport()
            let transport = SingleFlightTransport(live)
            let bodies = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<16 {
                    group.addTask { String(decoding: try await transport.send(Self.get(url, token: "alice-token")).body, as: UTF8.self) }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(bodies.count == 16 && bodies.allSatisfy { $0.contains("workspaces") })
            #expect(hits.count.withLock { $0 } == 1, "16 concurrent GETs, one request")
            #expect(transport.flying == 0, "nothing is kept once the answer is in")
            // Later: asked anew. Another user's token: never shared. Writes: never shared.
            _ = try await transport.send(Self.get(url, token: "alice-token"))
            #expect(hits.count.withLock { $0 } == 2)
            async let alice = transport.send(Self.get(url, token: "alice-token"))
            async let bob = transport.send(Self.get(url, token: "bob-token"))
            _ = try await (alice, bob)
            #expect(hits.count.withLock { $0 } == 4)
            async let first = transport.send(Self.get(url, token: "alice-token", method: "POST"))
            async let second = transport.send(Self.get(url, token: "alice-token", method: "POST"))
            _ = try await (first, second)
            #expect(hits.count.withLock { $0 } == 6)
            try await live.shutdown()
        }
    }
}
