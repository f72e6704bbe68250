import CoderAPI
import Foundation

/// Where to find Coder and the session token: flags, then `CODER_URL` + `CODER_SESSION_TOKEN` (or `CODER_TOKEN`),
/// then the Coder CLI's login (`~/.config/coderv2/url` and `session`, or `$CODER_CONFIG_DIR`).
struct CoderConnection: Sendable {
    var url: URL
    var token: SessionToken
    /// Where each value came from, for the start-up log (never the token itself).
    var source: String

    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    static func resolve(
        urlFlag: String?, tokenFile: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> CoderConnection {
        let (url, urlSource) = try resolveURL(urlFlag: urlFlag, environment: environment)
        var sources = [urlSource]
        var tokenText: String?
        if let tokenFile {
            guard let value = read(URL(fileURLWithPath: tokenFile)) else {
                throw Missing(description: "--token-file \(tokenFile) is missing or empty.")
            }
            tokenText = value
            sources.append("--token-file")
        } else if let env = environment["CODER_SESSION_TOKEN"]?.nonEmpty {
            tokenText = env
            sources.append("CODER_SESSION_TOKEN")
        } else if let env = environment["CODER_TOKEN"]?.nonEmpty {
            tokenText = env
            sources.append("CODER_TOKEN")
        } else if let file = read(configDirectory(environment).appendingPathComponent("session")) {
            tokenText = file
            sources.append("\(configDirectory(environment).path)/session")
        }
        guard let tokenText else {
            throw Missing(
                description:
                    "No Coder session token. Set CODER_SESSION_TOKEN (create one with `coder tokens create`), pass --token-file, or run `coder login`."
            )
        }
        return CoderConnection(url: url, token: SessionToken(tokenText), source: sources.joined(separator: ", "))
    }

    /// The deployment's URL alone (for `serve --http --users`, where each user brings a token): `--coder-url`,
    /// `CODER_URL`, then the Coder CLI's login; user-info is dropped. Returns where it came from, for the log.
    static func resolveURL(urlFlag: String?, environment: [String: String]) throws -> (URL, String) {
        let configDir = configDirectory(environment)
        var source: String
        let urlText: String
        if let urlFlag = urlFlag?.nonEmpty {
            (urlText, source) = (urlFlag, "--coder-url")
        } else if let env = environment["CODER_URL"]?.nonEmpty {
            (urlText, source) = (env, "CODER_URL")
        } else if let file = read(configDir.appendingPathComponent("url")) {
            (urlText, source) = (file, "\(configDir.path)/url")
        } else {
            throw Missing(
                description:
                    "No Coder deployment configured. Set CODER_URL (e.g. https://coder.example.com) and CODER_SESSION_TOKEN, run `coder login`, or use `fleet-mcp serve --sandbox` to try the embedded sandbox."
            )
        }
        guard var components = URLComponents(string: urlText), components.scheme == "http" || components.scheme == "https",
            components.host?.isEmpty == false
        else {
            throw Missing(description: "CODER_URL is not an http(s) URL (e.g. https://coder.example.com).")
        }
        // Credentials in the URL's user-info are never used, logged or put into app links: Coder reads the token only.
        if components.user != nil || components.password != nil {
            components.user = nil
            components.password = nil
            source += ", user-info in the URL ignored"
        }
        guard let url = components.url else { throw Missing(description: "CODER_URL is not an http(s) URL (e.g. https://coder.example.com).") }
        return (url, source)
    }

    /// The Coder CLI's configuration folder (`$CODER_CONFIG_DIR`, else `~/.config/coderv2`).
    private static func configDirectory(_ environment: [String: String]) -> URL {
        environment["CODER_CONFIG_DIR"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: NSHomeDirectory()).appendingPathComponent(".config/coderv2")
    }

    private static func read(_ url: URL) -> String? {
        (try? String(contentsOf: url, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines).nonEmpty
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
