import Foundation
import MCP

/// Who a bearer token belongs to: a user of the users file (by SHA-256, compared in constant time), the single
/// `--bearer-token-file` user, or the user an OAuth access token names.
///
/// No token is ever sent to Coder: each user acts there with their own Coder credential.
public struct Authenticator: Sendable {
    /// Users with a static token: the digest and the user.
    let tokens: [(digest: [UInt8], user: FleetUser)]
    let oauth: OAuthVerifier?
    /// OAuth claim value → user.
    let oauthUsers: [String: FleetUser]
    /// The user of an unauthenticated loopback server (no users file, no token, no OAuth).
    let anonymous: FleetUser?

    /// Static tokens only: `(SHA-256 hex, user)` pairs.
    public init(tokenDigests: [(sha256: String, user: FleetUser)], oauth: OAuthVerifier? = nil, oauthUsers: [String: FleetUser] = [:]) {
        self.tokens = tokenDigests.compactMap { entry in TokenDigest.bytes(hex: entry.sha256).map { ($0, entry.user) } }
        self.oauth = oauth
        self.oauthUsers = oauthUsers
        self.anonymous = nil
    }

    /// No authentication: every request acts as `user` (only allowed on a loopback address).
    public static func none(_ user: FleetUser) -> Authenticator { Authenticator(anonymous: user) }

    private init(anonymous: FleetUser) {
        tokens = []
        oauth = nil
        oauthUsers = [:]
        self.anonymous = anonymous
    }

    /// Whether requests must carry a token.
    public var required: Bool { anonymous == nil }

    /// Every user a request can act as.
    public var users: [FleetUser] {
        var seen = Set<ObjectIdentifier>()
        let all = [anonymous].compactMap { $0 } + tokens.map(\.user) + oauthUsers.values.sorted { $0.name < $1.name }
        return all.filter { seen.insert(ObjectIdentifier($0)).inserted }
    }

    /// What a presented token proves.
    public enum Outcome: Sendable {
        case user(FleetUser, BearerTokenInfo)
        /// A token that proves nothing; `reason` is for the challenge and the metric label, never the token.
        case rejected(Rejection)
    }

    public enum Rejection: String, Sendable, Error {
        case missing, unknown, expired, audience, issuer, signature, unmapped, unverified, malformed

        /// The `error_description` of the `WWW-Authenticate` challenge.
        var description: String {
            switch self {
            case .missing: "Authorization: Bearer <token> required"
            case .unknown: "Unknown token"
            case .expired: "Token has expired or is not yet valid"
            case .audience: "Token audience mismatch"
            case .issuer: "Token issuer mismatch"
            case .signature: "Token signature invalid"
            case .unmapped: "Token names no user of this server"
            case .unverified: "Token's email is not verified"
            case .malformed: "Malformed token"
            }
        }
    }

    /// Checks a token: every static digest is compared (no early exit), then OAuth if configured.
    public func authenticate(_ token: String) async -> Outcome {
        let digest = TokenDigest.bytes(token)
        var found: FleetUser?
        for entry in tokens where TokenDigest.equal(entry.digest, digest) && found == nil { found = entry.user }
        if let found { return .user(found, BearerTokenInfo()) }
        guard let oauth else { return .rejected(.unknown) }
        switch await oauth.verify(token) {
        case .success(let verified):
            guard let user = oauthUsers[verified.identity] else { return .rejected(.unmapped) }
            return .user(user, verified.info)
        case .failure(let rejection):
            return .rejected(rejection)
        }
    }
}
