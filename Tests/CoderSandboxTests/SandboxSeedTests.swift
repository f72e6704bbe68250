import CoderAPI
import CoderSandbox
import Foundation
import Testing

/// A seed file (YAML) with its own users, templates and pre-existing agents with history, as the API serves them.
@Suite struct SandboxSeedTests {
    /// The seed both suites use: `Tests/Fixtures/acme-seed.yaml`.
    static let yaml = try! String(
        contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/acme-seed.yaml"), encoding: .utf8)

    static func seed() throws -> SandboxSeed {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("seed-\(UUID().uuidString).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try SandboxSeed.load(file)
    }

    @Test func seededAgentsAndTemplatesAreServed() async throws {
        try await withSandbox(.testing(seed: try Self.seed())) { sandbox in
            let http = SandboxHTTP(sandbox)
            #expect(try await http.json(.GET, "/api/v2/users/me", as: User.self).username == "bob")
            let organizations: [Organization] = try await http.json(.GET, "/api/v2/organizations")
            #expect(organizations.map(\.name) == ["acme"])
            let templates: [Template] = try await http.json(.GET, "/api/v2/templates")
            #expect(templates.map(\.name) == ["api", "scratch"])
            let list: WorkspacesResponse = try await http.json(.GET, "/api/v2/workspaces?q=owner:me")
            #expect(list.workspaces.map(\.name) == ["agent-old", "agent-parked"])
            let old = try #require(list.workspaces.first)
            #expect(old.latestBuild.status == .running)
            #expect(old.latestAppStatus?.state == .complete)
            #expect(old.latestAppStatus?.uri == "https://github.com/acme/api/pull/7")
            // 2.35 lists an app's statuses newest first.
            let app = try #require(old.latestBuild.resources.flatMap { $0.agents ?? [] }.first?.apps.first { $0.slug == "ccw" })
            #expect(app.statuses.map(\.message) == ["Fixed", "Reading the handlers"])
            let parameters: [WorkspaceBuildParameter] = try await http.json(.GET, "/api/v2/workspacebuilds/\(old.latestBuild.id)/parameters")
            #expect(parameters.first { $0.name == "system_prompt" }?.value == "Fix things.")
            // 2.35 does not fill `AI Prompt` (v2.30.0 coderd/aitasks.go tasksCreate): the seeded agent's build lacks it.
            #expect(parameters.first { $0.name == "AI Prompt" } == nil)
            #expect(list.workspaces.last?.latestBuild.status == .stopped)
            #expect(list.workspaces.last?.latestBuild.transition == .stop)
        }
    }

    @Test func theSameSeedGivesTheSameIDs() async throws {
        func ids(_ seed: SandboxSeed) async throws -> [String] {
            try await withSandbox(.testing(.v2_27, seed: seed)) { sandbox in
                let http = SandboxHTTP(sandbox)
                let templates: [Template] = try await http.json(.GET, "/api/v2/templates")
                let user: User = try await http.json(.GET, "/api/v2/users/me")
                let workspace = try await http.createWorkspace("same")
                return templates.map(\.id) + [user.id, workspace.id, workspace.latestBuild.id, sandbox.token]
            }
        }
        var other = SandboxSeed.default
        other.randomSeed = 43
        let first = try await ids(.default), second = try await ids(.default), third = try await ids(other)
        #expect(first == second)
        #expect(Set(first).isDisjoint(with: third))
    }
}
