import Foundation
import Synchronization
import Yams

/// Passes requests to another transport and writes every interaction to a vcrpy-format cassette, so a user
/// with a live Coder can record fixtures for their own deployment (`FLEET_MCP_RECORD=path.yaml`).
///
/// Secrets are removed the way `shared/fixtures/coder-v2.27.1/SOURCE.md` describes: credential headers are
/// dropped, JSON string values under secret-looking keys become `***KEY_REDACTED***`, the session token is
/// replaced wherever it appears, and the Coder host becomes `coder.example.com`.
public final class RecordingTransport: HTTPTransport {
    public let upstream: any HTTPTransport
    public let file: URL
    private let secrets: [String]
    private let writer: Mutex<CassetteWriter>

    /// - Parameters:
    ///   - secrets: literal values to scrub wherever they appear (the session token at least).
    ///   - onFailure: told once if the file cannot be written; recording then stops and calls go on unchanged.
    public init(upstream: any HTTPTransport, file: URL, secrets: [String], onFailure: @escaping @Sendable (String) -> Void = { _ in }) {
        self.upstream = upstream
        self.file = file
        self.secrets = secrets.filter { $0.count >= 4 }
        self.writer = Mutex(CassetteWriter(file: file, onFailure: onFailure))
    }

    /// Whether interactions are still being written (false once the file could not be written).
    public var isRecording: Bool { writer.withLock { !$0.failed } }

    public func send(_ request: CoderHTTPRequest) async throws -> CoderHTTPResponse {
        let response = try await upstream.send(request)
        let host = request.url.host ?? ""
        let interaction = Cassette.Interaction(
            request: .init(
                body: request.body.map { Redactor.scrub(String(decoding: $0, as: UTF8.self), secrets: secrets, host: host) } ?? "",
                headers: Redactor.headers(request.headers, host: host),
                method: request.method,
                uri: Redactor.uri(request.url, secrets: secrets)
            ),
            response: .init(
                body: .init(string: Redactor.scrub(String(decoding: response.body, as: UTF8.self), secrets: secrets, host: host)),
                headers: Redactor.headers(response.headers, host: host),
                status: .init(code: response.status, message: HTTPStatusText.text(for: response.status))
            )
        )
        // Appended under the lock, so concurrent requests never drop or interleave an interaction.
        writer.withLock { $0.append(interaction) }
        return response
    }
}

/// Appends interactions to a vcrpy cassette file, one YAML list item at a time (the file is valid YAML after
/// every append). The first failure is reported once and ends recording; it never fails a request.
struct CassetteWriter {
    let file: URL
    let onFailure: @Sendable (String) -> Void
    var handle: FileHandle?
    var failed = false

    init(file: URL, onFailure: @escaping @Sendable (String) -> Void) {
        self.file = file
        self.onFailure = onFailure
    }

    mutating func append(_ interaction: Cassette.Interaction) {
        guard !failed else { return }
        do {
            if handle == nil {
                try Data("version: 1\ninteractions:\n".utf8).write(to: file)
                handle = try FileHandle(forWritingTo: file)
                try handle?.seekToEnd()
            }
            // A one-item list, appended as Yams writes it: the `interactions:` list grows by one item, and no line of
            // it (blank lines inside a multi-line string included) is touched.
            var item = try YAMLEncoder().encode([interaction])
            if !item.hasSuffix("\n") { item += "\n" }
            try handle?.write(contentsOf: Data(item.utf8))
        } catch {
            failed = true
            try? handle?.close()
            handle = nil
            onFailure("cannot write the recording to \(file.path) (\(error.localizedDescription)); recording stopped, calls go on")
        }
    }
}

/// Removes credentials from recorded traffic.
public enum Redactor {
    static let droppedHeaders: Set<String> = ["coder-session-token", "authorization", "cookie", "set-cookie", "proxy-authorization"]
    static let secretKey = try! NSRegularExpression(
        pattern: #""([A-Za-z0-9_]*(?:TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|PRIVATE_KEY|_KEY)[A-Za-z0-9_]*)"\s*:\s*"((?:[^"\\]|\\.)*)""#,
        options: [.caseInsensitive])

    /// Scrubs literal secrets, secret-looking JSON values and the host name from a body.
    public static func scrub(_ text: String, secrets: [String], host: String) -> String {
        var out = text
        for secret in secrets { out = out.replacingOccurrences(of: secret, with: "***CODER_SESSION_TOKEN_REDACTED***") }
        let range = NSRange(out.startIndex..., in: out)
        var result = ""
        var cursor = out.startIndex
        for match in secretKey.matches(in: out, range: range) {
            guard let whole = Range(match.range, in: out), let keyRange = Range(match.range(at: 1), in: out),
                let valueRange = Range(match.range(at: 2), in: out)
            else { continue }
            let key = String(out[keyRange])
            let value = out[valueRange]
            result += out[cursor..<whole.lowerBound]
            if value.isEmpty || (value.hasPrefix("***") && value.hasSuffix("***")) {
                result += out[whole]
            } else {
                result += "\"\(key)\":\"***\(key.uppercased())_REDACTED***\""
            }
            cursor = whole.upperBound
        }
        result += out[cursor...]
        if !host.isEmpty, host != "coder.example.com", host != "127.0.0.1", host != "localhost" {
            result = result.replacingOccurrences(of: host, with: "***CODER_HOSTNAME_REDACTED***")
        }
        return result
    }

    static func headers(_ headers: [(name: String, value: String)], host: String) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for (name, value) in headers where !droppedHeaders.contains(name.lowercased()) {
            out[name, default: []].append(name.lowercased() == "host" ? "coder.example.com" : value)
        }
        return out
    }

    static func uri(_ url: URL, secrets: [String]) -> String {
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        if let host = components?.host, host != "127.0.0.1", host != "localhost" {
            components?.host = "coder.example.com"
            components?.port = nil
            components?.scheme = "https"
        }
        var text = components?.string ?? url.absoluteString
        for secret in secrets { text = text.replacingOccurrences(of: secret, with: "***CODER_SESSION_TOKEN_REDACTED***") }
        return text
    }
}

/// Reason phrases for the statuses Coder uses.
enum HTTPStatusText {
    static func text(for status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 409: "Conflict"
        case 410: "Gone"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: ""
        }
    }
}
