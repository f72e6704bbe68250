import CoderAPI
import Fleet
import FleetMCP
import Foundation
import Logging

/// Builds the users a server acts for: each with their own Coder client and fleet, and the tools they may use.
public struct UserFactory: Sendable {
    /// A Coder client for one session token (the caller decides the transport: metrics, recording).
    public let makeClient: @Sendable (SessionToken) -> CoderClient
    public let configuration: FleetConfiguration
    public let version: String
    /// The server's `--read-only`: applies to every user.
    public let readOnly: Bool
    /// The server's `--tools`: no user gets a tool outside it.
    public let allowedTools: Set<String>?
    public let maxConcurrentRequests: Int
    public let enricher: PullRequestEnricher?
    public let logger: Logger

    public init(
        makeClient: @escaping @Sendable (SessionToken) -> CoderClient, configuration: FleetConfiguration, version: String,
        readOnly: Bool = false, allowedTools: Set<String>? = nil, maxConcurrentRequests: Int = 16,
        enricher: PullRequestEnricher? = nil, logger: Logger = Logger(label: "fleet-mcp")
    ) {
        self.makeClient = makeClient
        self.configuration = configuration
        self.version = version
        self.readOnly = readOnly
        self.allowedTools = allowedTools
        self.maxConcurrentRequests = maxConcurrentRequests
        self.enricher = enricher
        self.logger = logger
    }

    /// A user acting in Coder with `token`; `readOnly` and `tools` narrow the server's own settings.
    public func user(name: String, token: SessionToken, readOnly: Bool? = nil, tools: [String]? = nil) throws -> FleetUser {
        var allowed = allowedTools
        if let tools {
            let unknown = Set(tools).subtracting(FleetTools.names)
            guard unknown.isEmpty else {
                throw UsersFileError("user \(name): tools names unknown tools: \(unknown.sorted().joined(separator: ", "))")
            }
            allowed = allowed.map { $0.intersection(tools) } ?? Set(tools)
        }
        let fleet = FleetService(
            coder: makeClient(token), configuration: configuration, enricher: enricher,
            logger: logger.with(user: name))
        let mcp = FleetMCPServer(
            fleet: fleet, version: version, readOnly: self.readOnly || (readOnly ?? false), allowedTools: allowed,
            logger: Logger(label: "fleet-mcp.mcp").with(user: name))
        return FleetUser(name: name, mcp: mcp, maxConcurrentRequests: maxConcurrentRequests)
    }

    /// The users of a users file, with static tokens and (in OAuth mode) their claim values.
    public func authenticator(
        for file: UsersFile, oauth: OAuthVerifier? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> Authenticator {
        var digests: [(sha256: String, user: FleetUser)] = []
        var byClaim: [String: FleetUser] = [:]
        for entry in file.users {
            let user = try self.user(
                name: entry.name, token: try entry.coderToken(environment: environment), readOnly: entry.readOnly,
                tools: entry.tools)
            if let digest = entry.tokenSHA256 { digests.append((digest.lowercased(), user)) }
            if oauth != nil { byClaim[entry.oauthSubject ?? entry.name] = user }
        }
        if oauth == nil, digests.isEmpty {
            throw UsersFileError("no user has a token_sha256; without OAuth (--oauth-issuer …) nobody could sign in")
        }
        return Authenticator(tokenDigests: digests, oauth: oauth, oauthUsers: byClaim)
    }
}

extension Logger {
    /// This logger with the acting user in its metadata.
    func with(user: String) -> Logger {
        var logger = self
        logger[metadataKey: "user"] = "\(user)"
        return logger
    }
}
