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
        let configDir =
            environment["CODER_CONFIG_DIR"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: NSHomeDirectory()).appendingPathComponent(".config/coderv2")
        func read(_ url: URL) -> String? {
            (try? String(contentsOf: url, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines).nonEmpty
        }
        var sources: [String] = []
        var urlText: String?
        if let urlFlag = urlFlag?.nonEmpty {
            urlText = urlFlag
            sources.append("--coder-url")
        } else if let env = environment["CODER_URL"]?.nonEmpty {
            urlText = env
            sources.append("CODER_URL")
        } else if let file = read(configDir.appendingPathComponent("url")) {
            urlText = file
            sources.append("\(configDir.path)/url")
        }

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
        } else if let file = read(configDir.appendingPathComponent("session")) {
            tokenText = file
            sources.append("\(configDir.path)/session")
        }

        guard let urlText else {
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
            sources.append("user-info in the URL ignored")
        }
        guard let url = components.url else { throw Missing(description: "CODER_URL is not an http(s) URL (e.g. https://coder.example.com).") }
        guard let tokenText else {
            throw Missing(
                description:
                    "No Coder session token. Set CODER_SESSION_TOKEN (create one with `coder tokens create`), pass --token-file, or run `coder login`."
            )
        }
        return CoderConnection(url: url, token: SessionToken(tokenText), source: sources.joined(separator: ", "))
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
