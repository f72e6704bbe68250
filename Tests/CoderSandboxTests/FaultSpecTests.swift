import Foundation
import Testing

@testable import CoderSandbox

/// The fault specification: the compact syntax, files, route patterns, and reproducible decisions.
@Suite struct FaultSpecTests {
    @Test func theCompactSyntaxParses() throws {
        let spec = "POST /api/v2/workspaces/*/builds: 409@0.5; GET /api/v2/workspaces: latency=200ms, 503@0.1; *: 401-after=500"
        let plan = try FaultPlan(parsing: spec)
        #expect(
            plan
                == FaultPlan(rules: [
                    FaultRule(method: "POST", pattern: "/api/v2/workspaces/*/builds", faults: [.status(409, rate: 0.5)]),
                    FaultRule(method: "GET", pattern: "/api/v2/workspaces", faults: [.latency(.milliseconds(200)), .status(503, rate: 0.1)]),
                    FaultRule(pattern: "*", faults: [.revokeAfter(500)]),
                ]))
    }

    @Test func everyFaultKindParses() throws {
        let plan = try FaultPlan(
            parsing: """
                /a: 500@1, 502@0.5, 503@0, 429@0.2/3, 429@1, 409@1
                # a comment line
                /b/**: latency=2s, spike=150ms@0.25, hang@0.1, reset@0.1, truncate@1, MALFORMED@1, 401-after=0
                """)
        #expect(
            plan.rules.map(\.faults) == [
                [
                    .status(500, rate: 1), .status(502, rate: 0.5), .status(503, rate: 0), .rateLimited(rate: 0.2, retryAfter: 3),
                    .rateLimited(rate: 1, retryAfter: 1), .status(409, rate: 1),
                ],
                [
                    .latency(.seconds(2)), .spike(.milliseconds(150), rate: 0.25), .hang(rate: 0.1), .reset(rate: 0.1), .truncate(rate: 1),
                    .malformed(rate: 1), .revokeAfter(0),
                ],
            ])
        #expect(plan.rules.map(\.method) == [nil, nil])
        // The description is the syntax again.
        let again = try FaultPlan(
            parsing: plan.rules.map { "\($0.pattern): " + $0.faults.map(\.description).joined(separator: ", ") }
                .joined(separator: "; "))
        #expect(again == plan)
    }

    @Test(arguments: [
        "GET /x", "/x: 418@1", "/x: 500@2", "/x: 500", "/x: latency=fast", "x: 500@1", "", " ; ", "GET POST /x: 500@1",
        "/x: spike=10ms", "/x: 401-after=-1", "/x: 429@0.5/soon",
    ])
    func mistakesAreReported(_ spec: String) {
        #expect(throws: FaultSpecError.self) { try FaultPlan(parsing: spec) }
    }

    @Test func patternsMatchSegments() {
        let builds = FaultRule(method: "post", pattern: "/api/v2/workspaces/*/builds", faults: [])
        #expect(builds.matches(method: "POST", path: "/api/v2/workspaces/abc/builds"))
        #expect(!builds.matches(method: "GET", path: "/api/v2/workspaces/abc/builds"))
        #expect(!builds.matches(method: "POST", path: "/api/v2/workspaces/abc/builds/x"))
        #expect(!builds.matches(method: "POST", path: "/api/v2/workspaces/builds"))
        let proxy = FaultRule(pattern: "/@*/**", faults: [])
        #expect(proxy.matches(method: "GET", path: "/@alice/ws/apps/ccw/status"))
        #expect(proxy.matches(method: "POST", path: "/@alice"))
        #expect(!proxy.matches(method: "GET", path: "/api/v2/users/me"))
        #expect(!FaultRule(pattern: "/@*", faults: []).matches(method: "GET", path: "/%40alice"))
        let json = FaultRule(pattern: "/files/*.json/x*y*z", faults: [])
        #expect(json.matches(method: "GET", path: "/files/a.json/xyz"))
        #expect(json.matches(method: "GET", path: "/files/.json/x-y-z"))
        #expect(!json.matches(method: "GET", path: "/files/a.yaml/xyz"))
        #expect(!json.matches(method: "GET", path: "/files/a.json/xzy"))
        let everything = FaultRule(pattern: "*", faults: [])
        #expect(everything.matches(method: "DELETE", path: "/"))
        #expect(everything.matches(method: "GET", path: "/api/v2/workspaces/a/b/c"))
        let exact = FaultRule(pattern: "/api/v2/workspaces", faults: [])
        #expect(exact.matches(method: "GET", path: "/api/v2/workspaces"))
        #expect(!exact.matches(method: "GET", path: "/api/v2/workspaces/x"))
    }

    @Test func filesInYAMLOrJSONAreRead() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("faults-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let yaml = directory.appendingPathComponent("faults.yaml")
        try """
        seed: 7
        rules:
          - route: "POST /api/v2/workspaces/*/builds"
            faults: "409@0.5, latency=20ms"
          - route: "*"
            faults: ["401-after=500"]
        """.write(to: yaml, atomically: true, encoding: .utf8)
        let json = directory.appendingPathComponent("faults.json")
        try #"{"rules": [{"route": "GET /api/v2/buildinfo", "faults": ["hang@0.5"]}]}"#.write(to: json, atomically: true, encoding: .utf8)
        let fromYAML = try FaultPlan.resolve(yaml.path)
        #expect(
            fromYAML
                == FaultPlan(
                    rules: [
                        FaultRule(
                            method: "POST", pattern: "/api/v2/workspaces/*/builds", faults: [.status(409, rate: 0.5), .latency(.milliseconds(20))]),
                        FaultRule(pattern: "*", faults: [.revokeAfter(500)]),
                    ], seed: 7))
        #expect(try FaultPlan.resolve(yaml.path, seed: 9).seed == 9, "--fault-seed wins over the file")
        #expect(try FaultPlan.resolve(json.path).rules == [FaultRule(method: "GET", pattern: "/api/v2/buildinfo", faults: [.hang(rate: 0.5)])])
        #expect(
            try FaultPlan.resolve("/api/v2/buildinfo: 500@1", seed: 3)
                == FaultPlan(
                    rules: [
                        FaultRule(pattern: "/api/v2/buildinfo", faults: [.status(500, rate: 1)])
                    ], seed: 3))
        #expect(throws: (any Error).self) { try FaultPlan.resolve(directory.appendingPathComponent("missing.yaml").path) }
    }

    @Test func decisionsDependOnlyOnTheSeedAndTheRequests() throws {
        let plan = try FaultPlan(parsing: "GET /a: 503@0.3, spike=10ms@0.5; /a: truncate@0.5; POST /b: 401-after=2")
        func run(seed: UInt64) -> [FaultMiddleware.Decision] {
            let middleware = FaultMiddleware(plan: plan, seed: seed)
            return (0..<400).map { index in
                index % 4 == 3 ? middleware.decide(method: "POST", path: "/b") : middleware.decide(method: "GET", path: "/a")
            }
        }
        let first = run(seed: 7), second = run(seed: 7), other = run(seed: 8)
        #expect(first == second)
        #expect(first != other)
        let onA = first.enumerated().filter { $0.offset % 4 != 3 }.map(\.element)
        let failures = onA.filter { $0.replacement == .status(503, rate: 0.3) }.count
        #expect((60...120).contains(failures), "503@0.3 over 300 requests: \(failures)")
        let spikes = onA.filter { $0.delay == .milliseconds(10) }.count
        #expect((110...190).contains(spikes), "spike@0.5 over 300 requests: \(spikes)")
        let truncated = onA.filter { $0.bodyFault == .truncate(rate: 0.5) }.count
        #expect((110...190).contains(truncated))
        let onB = first.enumerated().filter { $0.offset % 4 == 3 }.map(\.element)
        #expect(onB.prefix(2).allSatisfy { $0.replacement == nil })
        #expect(onB.dropFirst(2).allSatisfy { $0.replacement == .revokeAfter(2) })
    }

    @Test func dicesAreUniform() {
        let rolls = (0..<10_000).map { FaultDice.roll(seed: 42, rule: 0, fault: 0, request: $0) }
        #expect(rolls.allSatisfy { $0 >= 0 && $0 < 1 })
        let below = rolls.filter { $0 < 0.1 }.count
        #expect((850...1150).contains(below), "\(below) of 10000 below 0.1")
        #expect(FaultDice.roll(seed: 42, rule: 0, fault: 0, request: 5) != FaultDice.roll(seed: 42, rule: 0, fault: 1, request: 5))
        #expect(FaultDice.roll(seed: 42, rule: 0, fault: 0, request: 5) != FaultDice.roll(seed: 42, rule: 1, fault: 0, request: 5))
    }
}
