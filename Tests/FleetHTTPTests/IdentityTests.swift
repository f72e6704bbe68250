import Foundation
import Testing

@testable import FleetHTTP

/// Token digests, the users file, `--http` parsing and the Coder route templates used as metric labels.
@Suite struct IdentityTests {
    @Test func digestIsSHA256Hex() {
        #expect(TokenDigest.hex("test") == "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
        let digest = TokenDigest.bytes("test")
        #expect(TokenDigest.equal(digest, TokenDigest.bytes(hex: TokenDigest.hex("test"))!))
        #expect(!TokenDigest.equal(digest, TokenDigest.bytes("tesT")))
        #expect(!TokenDigest.equal(digest, Array(digest.dropLast())))
        #expect(TokenDigest.bytes(hex: "xyz") == nil)
    }

    @Test func usersFileParses() throws {
        let file = try UsersFile.parse(
            """
            users:
              - name: alice
                token_sha256: \(TokenDigest.hex("a"))
                coder_token_file: /etc/alice
              - name: bob
                token_sha256: \(TokenDigest.hex("b").uppercased())
                coder_token_env: BOB_TOKEN
                oauth_subject: bob@example.com
                read_only: true
                tools: [list_agents, show_agent]
            """)
        #expect(file.users.map(\.name) == ["alice", "bob"])
        #expect(file.users[1].readOnly == true)
        #expect(file.users[1].tools == ["list_agents", "show_agent"])
        #expect(try file.users[1].coderToken(environment: ["BOB_TOKEN": " b-1 \n"]).secret == "b-1")
        #expect(throws: UsersFileError.self) { try file.users[1].coderToken(environment: [:]) }
    }

    @Test(arguments: [
        ("users: []", "empty"),
        ("users: [{name: a, coder_token_env: X}, {name: A, coder_token_env: Y}]", "twice"),
        ("users: [{name: 'a b', coder_token_env: X}]", "must be"),
        ("users: [{name: a, token_sha256: abc, coder_token_env: X}]", "64 hex"),
        ("users: [{name: a}]", "coder_token_file or coder_token_env"),
        ("users: [{name: a, coder_token_env: X, coder_token_file: /f}]", "not both"),
        ("nothing: here", "not a users file"),
        // Before issue 22 these were ignored, and the user got every tool, delete_agent included.
        ("users: [{name: ci, coder_token_env: X, read-only: true}]", "user ci: unknown key 'read-only'; did you mean read_only?"),
        ("users: [{name: ci, coder_token_env: X, tool: [list_agents]}]", "unknown key 'tool'; did you mean tools?"),
        ("users: [{name: a, coder_token_file: /t}, {name: b, coder_token_file: /t}]", "users a and b share coder_token_file /t"),
        ("users: [{name: a, coder_token_env: T}, {name: b, coder_token_env: T}]", "share coder_token_env T"),
    ])
    func usersFileRefusals(yaml: String, says: String) {
        #expect {
            try UsersFile.parse(yaml)
        } throws: { error in
            "\(error)".contains(says)
        }
    }

    @Test func tokenFilesReadableByOthersAreWarnedAbout() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("coder-token-\(UUID().uuidString)")
        try "secret".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let users = try UsersFile.parse("users: [{name: a, token_sha256: \(TokenDigest.hex("a")), coder_token_file: \(file.path)}]")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        #expect(users.warnings().first?.contains("readable by every local user (mode 644)") == true)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: file.path)
        #expect(users.warnings().isEmpty)
    }

    @Test func sharedDigestRefused() {
        let digest = TokenDigest.hex("same")
        #expect(throws: UsersFileError.self) {
            try UsersFile.parse(
                """
                users: [{name: a, token_sha256: \(digest), coder_token_env: X}, {name: b, token_sha256: \(digest), coder_token_env: Y}]
                """)
        }
    }

    @Test func listenAddresses() {
        #expect(HTTPServerOptions.parseListen("8080")! == ("127.0.0.1", 8080))
        #expect(HTTPServerOptions.parseListen("0.0.0.0:80")! == ("0.0.0.0", 80))
        #expect(HTTPServerOptions.parseListen("[::1]:9000")! == ("::1", 9000))
        #expect(HTTPServerOptions.parseListen("host:99999") == nil)
        #expect(HTTPServerOptions.parseListen(":80") == nil)
        #expect(HTTPServerOptions.isLoopback("127.0.0.2") && HTTPServerOptions.isLoopback("::1") && HTTPServerOptions.isLoopback("localhost"))
        #expect(!HTTPServerOptions.isLoopback("0.0.0.0") && !HTTPServerOptions.isLoopback("10.0.0.1"))
    }

    @Test(arguments: [
        ("/api/v2/workspaces", "/api/v2/workspaces"),
        ("/api/v2/workspaces/3f2b6a1e-0000-4000-8000-000000000001", "/api/v2/workspaces/{workspace}"),
        ("/api/v2/workspaces/3f2b6a1e-0000-4000-8000-000000000001/builds", "/api/v2/workspaces/{workspace}/builds"),
        ("/api/v2/users/me/workspace/agent-secret-project", "/api/v2/users/{user}/workspace/{workspacename}"),
        ("/api/v2/tasks/alice/agent-x/send", "/api/v2/tasks/{user}/{task}/send"),
        ("/api/experimental/tasks/me/1234/logs", "/api/experimental/tasks/{user}/{task}/logs"),
        ("/@alice/agent-x.main/apps/ccw/status", "/@{owner}/{workspace}/apps/{slug}/status"),
        ("/%40alice/agent-x/apps/ccw/some/deep/path", "/@{owner}/{workspace}/apps/{slug}/{path}"),
        ("/api/v2/unknown/agent-x", "other"),
        ("/api/v2/workspaces/a/b/c/d", "other"),
    ])
    func routeTemplates(path: String, template: String) {
        #expect(CoderRoute.template(of: path) == template)
    }
}
