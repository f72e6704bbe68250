import CoderAPI
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A request as the sandbox's handlers see it: method, path segments, query, body and the caller.
struct SandboxRequest: Sendable {
    var method: HTTPRequest.Method
    var path: String
    var segments: [String]
    var query: [String: String]
    var headers: HTTPFields
    var body: ByteBuffer

    init(_ request: Request, body: ByteBuffer) {
        method = request.method
        path = request.uri.path
        segments = request.uri.path.split(separator: "/", omittingEmptySubsequences: true).map { String($0).removingPercentEncoding ?? String($0) }
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        self.query = query
        headers = request.headers
        self.body = body
    }

    func header(_ name: String) -> String? {
        guard let field = HTTPField.Name(name) else { return nil }
        return headers[field]
    }

    /// The session token, from the places Coder looks (`httpmw.APITokenFromRequest`).
    var sessionToken: String? {
        if let cookie = header("Cookie") {
            for part in cookie.split(separator: ";") {
                let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1).map(String.init)
                if pair.count == 2, pair[0] == "coder_session_token" { return pair[1] }
            }
        }
        if let token = query["coder_session_token"] { return token }
        if let token = header("Coder-Session-Token") { return token }
        if let auth = header("Authorization"), auth.lowercased().hasPrefix("bearer ") { return String(auth.dropFirst(7)) }
        return query["access_token"]
    }

    /// Matches `pattern` (e.g. `api/v2/workspaces/*/builds`); returns the `*` segments.
    func match(_ method: HTTPRequest.Method, _ pattern: String) -> [String]? {
        guard self.method == method else { return nil }
        let parts = pattern.split(separator: "/").map(String.init)
        guard parts.count == segments.count else { return nil }
        var captured: [String] = []
        for (part, segment) in zip(parts, segments) {
            if part == "*" { captured.append(segment) } else if part != segment { return nil }
        }
        return captured
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        do {
            return try CoderJSON.decode(type, from: Data(buffer: body))
        } catch {
            throw SandboxError.invalidJSON("\(error)")
        }
    }
}

/// Builds Coder-shaped responses.
enum Reply {
    static func json<T: Encodable>(_ value: T, status: Int = 200) throws -> Response {
        let data = try CoderJSON.encode(value)
        return raw(status: status, contentType: "application/json; charset=utf-8", body: data)
    }

    /// A literal JSON `null` body (e.g. the app-status PATCH).
    static func null(status: Int = 200) -> Response {
        raw(status: status, contentType: "application/json; charset=utf-8", body: Data("null\n".utf8))
    }

    static func empty(status: Int) -> Response {
        Response(status: .init(code: status))
    }

    static func raw(status: Int, contentType: String, body: Data, headers extra: [(String, String)] = []) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        for (name, value) in extra { if let field = HTTPField.Name(name) { headers[field] = value } }
        return Response(status: .init(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func error(_ error: SandboxError) -> Response {
        if let html = error.html {
            return raw(status: error.status, contentType: "text/html; charset=utf-8", body: Data(html.utf8), headers: error.headers)
        }
        let data = (try? CoderJSON.encode(error.body)) ?? Data()
        return raw(status: error.status, contentType: "application/json; charset=utf-8", body: data, headers: error.headers)
    }
}
