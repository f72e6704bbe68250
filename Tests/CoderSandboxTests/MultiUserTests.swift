import CoderAPI
import CoderSandbox
import Foundation
import Testing

/// Several users, each with their own session token and fleet: an admin (the seed's first user) reaches everyone's
/// workspaces and tasks, a member only their own; others' answer 404 (their existence is not disclosed), acting in
/// someone else's name 403.
@Suite struct MultiUserTests {
    static let aliceToken = "a11ce00001-aliceSandboxSecret0000001"
    static let bobToken = "b0b0000001-bobSandboxSecret000000001"

    static var seed: SandboxSeed {
        var seed = SandboxSeed.default
        seed.users = [
            .init(username: "alice", name: "Alice", email: "alice@example.com", token: aliceToken),
            .init(username: "bob", name: "Bob", email: "bob@example.com", token: bobToken),
        ]
        seed.agents = [.init(workspace: "agent-bobs", owner: "bob", template: "webshop", prompt: "Bob's task")]
        return seed
    }

    @Test func membersReachOnlyTheirOwn() async throws {
        try await withSandbox(.testing(seed: Self.seed)) { sandbox in
            #expect(sandbox.token == Self.aliceToken)
            #expect(await sandbox.sessionTokens().map(\.token) == [Self.aliceToken, Self.bobToken])
            let alice = SandboxHTTP(sandbox)
            let mine = try await alice.createWorkspace("agent-alices", prompt: "Alice's task")
            let bobs = try #require(
                try await alice.json(.GET, "/api/v2/workspaces", as: WorkspacesResponse.self)
                    .workspaces.first { $0.name == "agent-bobs" }, "the admin sees bob's workspace")
            #expect(bobs.ownerName == "bob")

            @Sendable func asBob(_ path: String) async throws -> HTTPAnswer { try await alice.get(path, token: Self.bobToken) }
            let listed = try await asBob("/api/v2/workspaces").decode(WorkspacesResponse.self)
            #expect(listed.workspaces.map(\.name) == ["agent-bobs"], "a member lists only their own")
            #expect(try await asBob("/api/v2/workspaces/\(mine.id)").status == 404)
            #expect(try await asBob("/api/v2/workspaces/\(mine.id)/builds").status == 404)
            #expect(try await asBob("/api/v2/workspacebuilds/\(mine.latestBuild.id)").status == 404)
            #expect(try await asBob("/api/v2/users/alice/workspace/agent-alices").status == 404)
            #expect(try await asBob("/api/v2/tasks/alice/agent-alices").status == 404)
            #expect(try await asBob("/api/v2/tasks/me/agent-alices").status == 404)
            let stop = try await alice.send(
                .POST, "/api/v2/workspaces/\(mine.id)/builds", json: CreateWorkspaceBuildRequest(transition: .delete),
                token: Self.bobToken)
            #expect(stop.status == 404, "a member cannot build (stop, delete) another's workspace")
            let template = try await alice.template("webshop")
            let forAlice = try await alice.send(
                .POST, "/api/v2/users/alice/workspaces",
                json: CreateWorkspaceRequest(name: "agent-intruder", templateID: template.id), token: Self.bobToken)
            #expect(forAlice.status == 403)
            #expect(try await alice.workspace(mine.id).latestBuild.transition == .start, "alice's workspace untouched")
            // Bob's own lookups work with his token; the admin reaches his by id.
            #expect(try await asBob("/api/v2/users/me/workspace/agent-bobs").status == 200)
            #expect(try await alice.get("/api/v2/workspaces/\(bobs.id)").status == 200)
        }
    }
}
