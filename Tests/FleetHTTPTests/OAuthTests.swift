import Foundation
import JWTKit
import MCP
import Testing

@testable import FleetHTTP

/// OAuth 2.1 resource-server mode: JWT access tokens signed with a key of the test's own JWKS.
@Suite(.serialized) struct OAuthTests {
    static let issuer = "https://idp.example.com"

    struct Claims: JWTPayload {
        var iss: String
        var aud: [String]
        var exp: ExpirationClaim
        var nbf: NotBeforeClaim?
        var email: String?
        var sub: String

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// A signing key, and the JWKS file with its public half.
    static func keys() async throws -> (JWTKeyCollection, URL) {
        let key = ES256PrivateKey()
        let collection = JWTKeyCollection()
        await collection.add(ecdsa: key, kid: "test-key")
        let parameters = try #require(key.parameters)
        let jwks = """
            {"keys":[{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"test-key","x":"\(parameters.x)","y":"\(parameters.y)"}]}
            """
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("jwks-\(UUID().uuidString).json")
        try jwks.write(to: file, atomically: true, encoding: .utf8)
        return (collection, file)
    }

    @Test func acceptsOnlyValidTokensForThisServer() async throws {
        let (signer, jwks) = try await Self.keys()
        let audience = "http://127.0.0.1/mcp"
        let settings = OAuthSettings(issuer: Self.issuer, audience: audience, jwks: jwks.path, leeway: 0)
        try await TeamFixture.with(oauth: settings) { team in
            func token(
                aud: String = audience, iss: String = Self.issuer, expiresIn: TimeInterval = 300, email: String? = "bob@example.com",
                sub: String = "u-1", notBefore: Date? = nil
            ) async throws -> String {
                try await signer.sign(
                    Claims(
                        iss: iss, aud: [aud], exp: .init(value: Date().addingTimeInterval(expiresIn)),
                        nbf: notBefore.map { .init(value: $0) }, email: email, sub: sub), kid: "test-key")
            }
            func status(_ token: String) async throws -> Answer {
                try await Wire.send(team.endpoint, body: HTTPServerTests.listTools, token: token)
            }
            #expect(try await status(try await token()).status == 200)
            // bob acts as bob: his fleet, not alice's.
            let list = try await Wire.call(team, "list_agents", [:], token: try await token()).0
            #expect(list.isError != true)
            for (label, bad) in [
                ("expired", try await token(expiresIn: -60)), ("wrong audience", try await token(aud: "https://other.example.com/mcp")),
                ("wrong issuer", try await token(iss: "https://evil.example.com")),
                ("not yet valid", try await token(notBefore: Date().addingTimeInterval(600))),
                ("unknown user", try await token(email: "mallory@example.com")),
            ] {
                let answer = try await status(bad)
                #expect(answer.status == 401, "\(label)")
                let metadataURL = "resource_metadata=\"http://127.0.0.1/.well-known/oauth-protected-resource/mcp\""
                #expect(
                    answer.header("WWW-Authenticate")?.contains(metadataURL) == true,
                    "\(label): \(answer.header("WWW-Authenticate") ?? "")")
            }
            // Signed by another key: refused.
            let (stranger, _) = try await Self.keys()
            let forged = try await stranger.sign(
                Claims(
                    iss: Self.issuer, aud: [audience], exp: .init(value: Date().addingTimeInterval(300)),
                    nbf: nil, email: "bob@example.com", sub: "u-1"), kid: "test-key")
            #expect(try await status(forged).status == 401)
            // The static token of the users file still works beside OAuth.
            #expect(try await status(TeamFixture.aliceBearer).status == 200)
            let metadata = try await Wire.send(team.base + "/.well-known/oauth-protected-resource/mcp", method: .GET)
            let document = try JSONDecoder().decode(OAuthProtectedResourceServerMetadata.self, from: Data(metadata.text.utf8))
            #expect(document.resource == audience)
            #expect(document.authorizationServers == [URL(string: Self.issuer)!])
            let failures = team.metrics.exposition()
            for reason in ["expired", "audience", "issuer", "unmapped", "signature"] {
                #expect(failures.contains("fleet_mcp_auth_failures_total{reason=\"\(reason)\"}"), "\(reason)")
            }
        }
    }

    @Test func claimChoice() async throws {
        let (signer, jwks) = try await Self.keys()
        let verifier = try await OAuthVerifier(
            settings: OAuthSettings(
                issuer: Self.issuer, audience: "https://fleet/mcp", jwks: jwks.path,
                claim: "sub"), transport: nil)
        let token = try await signer.sign(
            Claims(
                iss: Self.issuer, aud: ["https://fleet/mcp"], exp: .init(value: Date().addingTimeInterval(60)),
                nbf: nil, email: "x@example.com", sub: "user-42"), kid: "test-key")
        let verified = try await verifier.verify(token).get()
        #expect(verified.identity == "user-42")
        #expect(verified.info.audience == ["https://fleet/mcp"])
        #expect(await verifier.verify("not.a.jwt").isFailure)
        #expect(await verifier.verify("plain-token").isFailure)
    }
}

extension OAuthTests {
    struct VerifiedClaims: JWTPayload {
        var iss: String
        var aud: [String]
        var exp: ExpirationClaim
        var email: String?
        var email_verified: Bool?
        var sub: String

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// Before issue 22, `email_verified: false` signed in, and a token without an email fell back to `sub`.
    @Test func unverifiedEmailsAndMissingEmailsNameNobody() async throws {
        let (signer, jwks) = try await Self.keys()
        let verifier = try await OAuthVerifier(
            settings: OAuthSettings(issuer: Self.issuer, audience: "https://fleet/mcp", jwks: jwks.path), transport: nil)
        func token(email: String?, verified: Bool?, sub: String = "bob") async throws -> String {
            try await signer.sign(
                VerifiedClaims(
                    iss: Self.issuer, aud: ["https://fleet/mcp"], exp: .init(value: Date().addingTimeInterval(60)), email: email,
                    email_verified: verified, sub: sub), kid: "test-key")
        }
        #expect(try await verifier.verify(try await token(email: "bob@example.com", verified: true)).get().identity == "bob@example.com")
        #expect(try await verifier.verify(try await token(email: "bob@example.com", verified: nil)).get().identity == "bob@example.com")
        let unverified = await verifier.verify(try await token(email: "bob@example.com", verified: false))
        #expect(unverified.failure == .unverified)
        let noEmail = await verifier.verify(try await token(email: nil, verified: nil, sub: "bob"))
        #expect(noEmail.failure == .unmapped, "no fallback from a missing email to sub")
    }
}

extension Result {
    var failure: Failure? { if case .failure(let error) = self { error } else { nil } }

    var isFailure: Bool { if case .failure = self { true } else { false } }
}
