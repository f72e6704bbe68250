import CoderAPI
import Foundation
import JWTKit
import Logging
import MCP
import Synchronization

/// OAuth 2.1 resource-server settings (`--oauth-issuer`, `--oauth-audience`, `--jwks`, `--oauth-claim`).
public struct OAuthSettings: Sendable {
    /// The `iss` every token must carry, e.g. `https://coder.example.com` or `https://idp.example.com/realms/team`.
    public var issuer: String
    /// This server's canonical URL, e.g. `https://fleet.example.com/mcp`: the `aud` every token must include.
    public var audience: String
    /// The signing keys: a JWKS file, or an `http(s)` URL fetched at start-up and every `refreshInterval`.
    public var jwks: String
    /// The claim naming the user (matched against `oauth_subject`, else `name`, in the users file); nil: `email`, which
    /// must then not be marked `email_verified: false`. There is no fallback to `sub` (a token without an email whose
    /// `sub` happened to equal a user's name would sign in as that user).
    public var claim: String?
    /// Authorization servers published in the protected-resource metadata (default: the issuer).
    public var authorizationServers: [URL]
    public var refreshInterval: Duration
    /// Clock skew allowed on `exp` and `nbf`.
    public var leeway: TimeInterval

    public init(
        issuer: String, audience: String, jwks: String, claim: String? = nil, authorizationServers: [URL]? = nil,
        refreshInterval: Duration = .seconds(600), leeway: TimeInterval = 30
    ) {
        self.issuer = issuer
        self.audience = audience
        self.jwks = jwks
        self.claim = claim
        self.authorizationServers = authorizationServers ?? [URL(string: issuer)].compactMap { $0 }
        self.refreshInterval = refreshInterval
        self.leeway = leeway
    }

    var jwksURL: URL? {
        guard let url = URL(string: jwks), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http" else { return nil }
        return url
    }
}

/// Validates JWT access tokens with vapor/jwt-kit: signature from the JWKS, issuer, audience (this server),
/// expiry and not-before; then reads the claim that names the user.
public final class OAuthVerifier: Sendable {
    public let settings: OAuthSettings
    private let keys: Mutex<JWTKeyCollection>
    private let transport: (any HTTPTransport)?
    private let logger: Logger

    /// Loads the key set (a file, or a URL through `transport`); throws when it cannot be read.
    public init(settings: OAuthSettings, transport: (any HTTPTransport)?, logger: Logger = Logger(label: "fleet-mcp.oauth")) async throws {
        self.settings = settings
        self.transport = transport
        self.logger = logger
        keys = Mutex(try await Self.loadKeys(settings, transport: transport))
    }

    /// A verified token: who it names, and what the SDK's bearer validator checks again (audience, expiry).
    public struct Verified: Sendable {
        public var identity: String
        public var info: BearerTokenInfo
    }

    public func verify(_ token: String) async -> Result<Verified, Authenticator.Rejection> {
        guard token.split(separator: ".", omittingEmptySubsequences: false).count == 3 else { return .failure(.malformed) }
        let collection = keys.withLock { $0 }
        let payload: AccessTokenPayload
        do {
            payload = try await collection.verify(token, as: AccessTokenPayload.self)
        } catch let error as ClaimRejection {
            return .failure(error.rejection)
        } catch let error as JWTError {
            switch error.errorType {
            case .claimVerificationFailure: return .failure(.expired)
            case .malformedToken, .missingKIDHeader, .invalidHeaderField: return .failure(.malformed)
            default: return .failure(.signature)
            }
        } catch {
            return .failure(.malformed)
        }
        let now = Date()
        if payload.expiration.addingTimeInterval(settings.leeway) <= now { return .failure(.expired) }
        if let notBefore = payload.notBefore, notBefore.addingTimeInterval(-settings.leeway) > now { return .failure(.expired) }
        guard payload.issuer == settings.issuer else { return .failure(.issuer) }
        guard payload.audience.contains(settings.audience) else { return .failure(.audience) }
        let claim = settings.claim ?? "email"
        guard let identity = payload.strings[claim], !identity.isEmpty else { return .failure(.unmapped) }
        // An address the IdP has not verified names nobody: anyone could have typed it.
        if claim == "email", payload.emailVerified == false { return .failure(.unverified) }
        // The SDK's validator checks audience and expiry once more; leeway is ours, so it gets the padded expiry.
        let info = BearerTokenInfo(audience: [settings.audience], expiresAt: payload.expiration.addingTimeInterval(settings.leeway))
        return .success(Verified(identity: identity, info: info))
    }

    /// Re-reads the key set (a rotated IdP key); keeps the old keys when the new ones cannot be read.
    public func refresh() async {
        do {
            let fresh = try await Self.loadKeys(settings, transport: transport)
            keys.withLock { $0 = fresh }
        } catch {
            logger.warning("cannot refresh the JWKS from \(settings.jwks): \(error)")
        }
    }

    /// Refreshes a JWKS URL every `refreshInterval` until cancelled (a file is read once).
    public func refreshPeriodically() async {
        guard settings.jwksURL != nil else { return }
        while !Task.isCancelled {
            do { try await Task.sleep(for: settings.refreshInterval) } catch { return }
            await refresh()
        }
    }

    static func loadKeys(_ settings: OAuthSettings, transport: (any HTTPTransport)?) async throws -> JWTKeyCollection {
        let json: String
        if let url = settings.jwksURL {
            // Keys over plain HTTP could be swapped on the way, and then anyone could mint tokens: HTTPS, or loopback.
            let host = url.host?.lowercased() ?? ""
            guard url.scheme?.lowercased() == "https" || ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) else {
                throw OAuthSetupError("--jwks \(url) must be an https URL (plain http only on loopback)")
            }
            guard let transport else { throw OAuthSetupError("no HTTP client to fetch \(url)") }
            let response = try await transport.send(
                CoderHTTPRequest(
                    method: "GET", url: url, headers: [("Accept", "application/json")],
                    timeout: .seconds(10)))
            guard response.status == 200 else { throw OAuthSetupError("GET \(url) answered \(response.status)") }
            json = String(decoding: response.body, as: UTF8.self)
        } else {
            guard let text = try? String(contentsOfFile: settings.jwks, encoding: .utf8) else {
                throw OAuthSetupError("cannot read the JWKS file \(settings.jwks)")
            }
            json = text
        }
        let collection = JWTKeyCollection()
        do { try await collection.add(jwksJSON: json) } catch {
            throw OAuthSetupError("\(settings.jwks) is not a usable JWKS (each key needs a kid): \(error)")
        }
        return collection
    }
}

/// Why OAuth mode cannot start.
public struct OAuthSetupError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// A claim check that failed, thrown from the payload's own verification.
struct ClaimRejection: Error {
    var rejection: Authenticator.Rejection
}

/// An access token's claims: the registered ones fleet-mcp checks, and every string claim (to name the user).
struct AccessTokenPayload: JWTPayload {
    var issuer: String?
    var audience: [String]
    var expiration: Date
    var notBefore: Date?
    var strings: [String: String]
    /// `email_verified` (a boolean, or the string "true"/"false" some IdPs send); nil when absent.
    var emailVerified: Bool?

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        issuer = try? container.decode(String.self, forKey: Key(stringValue: "iss"))
        audience = (try? container.decode(AudienceClaim.self, forKey: Key(stringValue: "aud")))?.value ?? []
        guard let exp = try? container.decode(ExpirationClaim.self, forKey: Key(stringValue: "exp")) else {
            throw ClaimRejection(rejection: .expired)  // an access token without an expiry is refused
        }
        expiration = exp.value
        notBefore = (try? container.decode(NotBeforeClaim.self, forKey: Key(stringValue: "nbf")))?.value
        var strings: [String: String] = [:]
        for key in container.allKeys {
            if let value = try? container.decode(String.self, forKey: key) { strings[key.stringValue] = value }
        }
        self.strings = strings
        let verified = Key(stringValue: "email_verified")
        emailVerified = (try? container.decode(Bool.self, forKey: verified)) ?? strings["email_verified"].map { $0.lowercased() == "true" }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (name, value) in strings { try container.encode(value, forKey: Key(stringValue: name)) }
        try container.encode(AudienceClaim(value: audience), forKey: Key(stringValue: "aud"))
        try container.encode(ExpirationClaim(value: expiration), forKey: Key(stringValue: "exp"))
        if let notBefore { try container.encode(NotBeforeClaim(value: notBefore), forKey: Key(stringValue: "nbf")) }
        if let emailVerified, strings["email_verified"] == nil { try container.encode(emailVerified, forKey: Key(stringValue: "email_verified")) }
    }

    /// Expiry and not-before are checked by the verifier with its leeway; the signature by jwt-kit.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
