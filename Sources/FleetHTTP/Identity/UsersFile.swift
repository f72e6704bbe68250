import CoderAPI
import Foundation
import Yams

/// The team's users (`--users FILE`, YAML): who may call fleet-mcp, and as whom each acts in Coder.
///
/// ```yaml
/// users:
///   - name: alice
///     token_sha256: 5e884898…          # `fleet-mcp token hash` prints it; the token itself is never stored
///     coder_token_file: /etc/fleet-mcp/alice.coder-token
///   - name: bob
///     token_sha256: 6b86b273…
///     coder_token_env: BOB_CODER_TOKEN
///     oauth_subject: bob@example.com    # OAuth mode: the value of --oauth-claim naming bob (default: the name)
///     read_only: true                   # per user, besides the server's --read-only
///     tools: [list_agents, show_agent]  # per user, within the server's --tools
/// ```
public struct UsersFile: Sendable, Decodable {
    public var users: [Entry]

    public struct Entry: Sendable, Decodable {
        public var name: String
        /// Lower-case hex SHA-256 of the user's bearer token; nil for users who sign in only with OAuth.
        public var tokenSHA256: String?
        /// A file holding the user's own Coder session token.
        public var coderTokenFile: String?
        /// An environment variable holding the user's own Coder session token.
        public var coderTokenEnv: String?
        /// The OAuth claim value that names this user (default: `name`).
        public var oauthSubject: String?
        public var readOnly: Bool?
        public var tools: [String]?

        enum CodingKeys: String, CodingKey {
            case name, tools
            case tokenSHA256 = "token_sha256"
            case coderTokenFile = "coder_token_file"
            case coderTokenEnv = "coder_token_env"
            case oauthSubject = "oauth_subject"
            case readOnly = "read_only"
        }

        public init(
            name: String, tokenSHA256: String? = nil, coderTokenFile: String? = nil, coderTokenEnv: String? = nil,
            oauthSubject: String? = nil, readOnly: Bool? = nil, tools: [String]? = nil
        ) {
            self.name = name
            self.tokenSHA256 = tokenSHA256
            self.coderTokenFile = coderTokenFile
            self.coderTokenEnv = coderTokenEnv
            self.oauthSubject = oauthSubject
            self.readOnly = readOnly
            self.tools = tools
        }

        /// The user's Coder session token, from the file or the environment variable the entry names.
        public func coderToken(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SessionToken {
            if let path = coderTokenFile {
                let text = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                guard !text.isEmpty else { throw UsersFileError("user \(name): coder_token_file \(path) is missing or empty") }
                return SessionToken(text)
            }
            if let variable = coderTokenEnv {
                guard let text = environment[variable]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
                    throw UsersFileError("user \(name): environment variable \(variable) (coder_token_env) is not set")
                }
                return SessionToken(text)
            }
            throw UsersFileError("user \(name): set coder_token_file or coder_token_env (each user acts in Coder with their own token)")
        }
    }

    public init(users: [Entry]) { self.users = users }

    /// Reads and checks a users file.
    public static func load(_ url: URL) throws -> UsersFile {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw UsersFileError("cannot read \(url.path)")
        }
        return try parse(text)
    }

    /// The keys an entry may have: any other (`read-only:`, `tool:`) is refused rather than silently ignored, since an
    /// ignored restriction hands the user every tool.
    static let knownKeys = ["name", "token_sha256", "coder_token_file", "coder_token_env", "oauth_subject", "read_only", "tools"]

    /// Refuses keys the file format does not have, at the top and in each entry.
    static func checkKeys(_ text: String) throws {
        guard let root = (try? Yams.load(yaml: text)) as? [String: Any] else { return }
        if let unknown = root.keys.sorted().first(where: { $0 != "users" }) {
            throw UsersFileError("not a users file: unknown key '\(unknown)' at the top (the file holds one `users:` list)")
        }
        guard let entries = root["users"] as? [Any] else { return }
        for (index, entry) in entries.enumerated() {
            guard let keys = (entry as? [String: Any])?.keys.sorted() else { continue }
            let name = ((entry as? [String: Any])?["name"] as? String).map { "user \($0)" } ?? "users entry \(index + 1)"
            for key in keys where !knownKeys.contains(key) {
                let near = knownKeys.first { $0 == key.lowercased().replacingOccurrences(of: "-", with: "_") || $0 == key + "s" }
                let hint = near.map { "; did you mean \($0)?" } ?? ""
                throw UsersFileError("\(name): unknown key '\(key)'\(hint) (known: \(knownKeys.joined(separator: ", ")))")
            }
        }
    }

    /// Parses and checks YAML (or JSON) text.
    public static func parse(_ text: String) throws -> UsersFile {
        try checkKeys(text)
        let file: UsersFile
        do { file = try YAMLDecoder().decode(UsersFile.self, from: text) } catch {
            throw UsersFileError("not a users file (a `users:` list of name, token_sha256, coder_token_file or coder_token_env): \(error)")
        }
        try file.validate()
        return file
    }

    /// Names unique and plain, digests well-formed and unique, one Coder credential per user.
    func validate() throws {
        guard !users.isEmpty else { throw UsersFileError("the users list is empty") }
        var names = Set<String>()
        var digests = Set<String>()
        // The value an OAuth token's claim is matched with: one user per value, or a token could sign in as another.
        var claims = Set<String>()
        // Each user acts in Coder as themselves: two users with one Coder token would be one person in Coder's audit log.
        var credentials: [String: String] = [:]
        for user in users {
            for credential in [user.coderTokenFile.map { "coder_token_file \($0)" }, user.coderTokenEnv.map { "coder_token_env \($0)" }] {
                guard let credential else { continue }
                if let other = credentials[credential] {
                    throw UsersFileError("users \(other) and \(user.name) share \(credential): each user needs their own Coder token")
                }
                credentials[credential] = user.name
            }
            let plain =
                !user.name.isEmpty && user.name.count <= 64
                && user.name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._@-".contains($0)) }
            guard plain else { throw UsersFileError("user name '\(user.name.prefix(64))' must be 1–64 letters, digits, '.', '_', '@' or '-'") }
            guard names.insert(user.name.lowercased()).inserted else { throw UsersFileError("user \(user.name) appears twice") }
            guard claims.insert(user.oauthSubject ?? user.name).inserted else {
                throw UsersFileError(
                    "user \(user.name): oauth_subject '\(user.oauthSubject ?? user.name)' is another user's name or oauth_subject too")
            }
            if let digest = user.tokenSHA256 {
                guard TokenDigest.bytes(hex: digest) != nil else {
                    throw UsersFileError("user \(user.name): token_sha256 must be 64 hex digits (`fleet-mcp token hash` prints it)")
                }
                guard digests.insert(digest.lowercased()).inserted else {
                    throw UsersFileError("user \(user.name): token_sha256 is another user's too")
                }
            }
            switch (user.coderTokenFile, user.coderTokenEnv) {
            case (nil, nil): throw UsersFileError("user \(user.name): set coder_token_file or coder_token_env")
            case (.some, .some): throw UsersFileError("user \(user.name): set coder_token_file or coder_token_env, not both")
            default: break
            }
        }
    }
}

extension UsersFile {
    /// What an operator should fix but that does not stop the server: Coder token files other users may read.
    public func warnings() -> [String] {
        users.compactMap { user in
            guard let path = user.coderTokenFile, let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o004 != 0
            else { return nil }
            return "user \(user.name): coder_token_file \(path) is readable by every local user (mode \(String(mode, radix: 8))); chmod o-r it"
        }
    }
}

/// A users file that cannot be used, in words that say what to fix.
public struct UsersFileError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
