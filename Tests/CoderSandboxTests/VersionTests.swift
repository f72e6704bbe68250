import CoderAPI
import CoderSandbox
import Foundation
import Testing

/// What each emulated Coder version serves.
@Suite struct VersionTests {
    struct Expectation: Sendable, CustomStringConvertible {
        var version: SandboxVersion
        var build: String
        var experimental: Bool
        var stable: Bool
        var pause: Bool
        /// `PATCH …/input` from v2.29.0 (coderd/coderd.go:1043), before pause (v2.31.1 coderd.go:1084–1085).
        var input: Bool
        var description: String { version.rawValue }
    }

    static let matrix = [
        Expectation(version: .v2_27, build: "v2.27.1+230b55b", experimental: true, stable: false, pause: false, input: false),
        Expectation(version: .v2_28, build: "v2.28.0+sandbox", experimental: true, stable: false, pause: false, input: false),
        Expectation(version: .v2_29, build: "v2.29.0+sandbox", experimental: true, stable: true, pause: false, input: true),
        Expectation(version: .v2_30, build: "v2.30.0+sandbox", experimental: true, stable: true, pause: false, input: true),
        Expectation(version: .v2_31, build: "v2.31.1+sandbox", experimental: true, stable: true, pause: true, input: true),
        Expectation(version: .v2_35, build: "v2.35.1+8b44bd6", experimental: true, stable: true, pause: true, input: true),
        Expectation(version: .v2_36, build: "v2.36.0+sandbox", experimental: true, stable: true, pause: true, input: true),
        Expectation(version: .v2_37, build: "v2.37.0+sandbox", experimental: false, stable: false, pause: false, input: false),
        Expectation(version: .v2_38, build: "v2.38.5+sandbox", experimental: false, stable: false, pause: false, input: false),
    ]

    @Test func everyVersionIsCovered() {
        #expect(Self.matrix.map(\.version) == SandboxVersion.allCases)
        #expect(SandboxVersion.list == "2.27, 2.28, 2.29, 2.30, 2.31, 2.35, 2.36, 2.37 or 2.38")
    }

    @Test(arguments: matrix)
    func tasksRoutesFollowTheVersion(_ expected: Expectation) async throws {
        try await withSandbox(.testing(expected.version)) { sandbox in
            let http = SandboxHTTP(sandbox)
            #expect(try await http.json(.GET, "/api/v2/buildinfo", as: BuildInfo.self).version == expected.build)
            func served(_ answer: HTTPAnswer) -> Bool { !(answer.status == 404 && answer.message == "Route not found.") }
            #expect(served(try await http.get("/api/experimental/tasks")) == expected.experimental)
            #expect(served(try await http.get("/api/v2/tasks")) == expected.stable)
            let missing = "00000000-0000-0000-0000-000000000000"
            for base in ["/api/v2/tasks", "/api/experimental/tasks"] {
                let pause = try await http.send(.POST, "\(base)/me/\(missing)/pause")
                let resume = try await http.send(.POST, "\(base)/me/\(missing)/resume")
                let input = try await http.send(.PATCH, "\(base)/me/\(missing)/input", json: TaskInput(input: "x"))
                for (answer, exists) in [(pause, expected.pause), (resume, expected.pause), (input, expected.input)] {
                    // The group's routes exist only where that tasks API is served.
                    let here = exists && (base == "/api/v2/tasks" ? expected.stable : expected.experimental)
                    #expect(served(answer) == here, "\(base) on \(expected.version): \(answer.status) \(answer.text)")
                    if here { #expect(answer.message == "Resource not found or you do not have access to this resource") }
                }
            }
        }
    }

    @Test(arguments: [SandboxVersion.v2_37, .v2_38])
    func withoutTasksTheAgentIsReachedThroughTheAppProxy(_ version: SandboxVersion) async throws {
        try await withSandbox(.testing(version)) { sandbox in
            let http = SandboxHTTP(sandbox)
            let workspace = try await http.createWorkspace("agent-proxied", prompt: "Investigate the slow deploys")
            try await eventually("the first turn to end") {
                try await http.workspace(workspace.id).latestAppStatus?.state == .complete
            }
            #expect(try await http.workspace(workspace.id).taskID == nil)
            let messages = try await http.get("/@alice/agent-proxied/apps/ccw/messages")
            #expect(messages.status == 200)
            #expect(messages.text.contains("Investigate the slow deploys"))
            let created = try await http.send(
                .POST, "/api/v2/tasks/me",
                json: CreateTaskRequest(
                    templateVersionID: workspace.templateActiveVersionID,
                    input: "x"))
            #expect(created.status == 404)
            #expect(created.message == "Route not found.")
        }
    }
}
