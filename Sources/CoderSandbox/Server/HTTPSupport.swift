import CoderAPI
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// What the sandbox's handlers carry along a request: Hummingbird's core storage and the authenticated caller.
struct SandboxContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// Set by ``AuthMiddleware`` on the routes that need a session.
    var caller: User?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// The authenticated user (the route's collection runs ``AuthMiddleware`` first).
    func requireCaller() throws -> User {
        guard let caller else { throw SandboxError.signedOut("Cookie \"coder_session_token\" or query parameter must be provided.") }
        return caller
    }

    /// A path parameter, percent-decoded (the router matches the raw path).
    func parameter(_ name: String) throws -> String {
        let raw = try parameters.require(name)
        return raw.removingPercentEncoding ?? raw
    }
}

extension Request {
    /// The path's segments, percent-decoded.
    var pathSegments: [String] {
        uri.path.split(separator: "/", omittingEmptySubsequences: true).map { String($0).removingPercentEncoding ?? String($0) }
    }

    /// A query parameter (the last one when repeated), decoded.
    func query(_ key: String) -> String? {
        var found: String?
        for (name, value) in uri.queryParameters where name == key { found = String(value) }
        return found
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
        if let token = query("coder_session_token") { return token }
        if let token = header("Coder-Session-Token") { return token }
        if let auth = header("Authorization"), auth.lowercased().hasPrefix("bearer ") { return String(auth.dropFirst(7)) }
        return query("access_token")
    }

    /// The body (at most 4 MiB; a larger or unreadable one reads as empty, as before the router).
    mutating func bodyData() async -> Data {
        Data(buffer: (try? await collectBody(upTo: 4 << 20)) ?? ByteBuffer())
    }

    /// The JSON body, or 400 `Request body must be valid JSON.` like Coder's `httpapi.Read`.
    mutating func decode<T: Decodable>(_ type: T.Type) async throws -> T {
        let data = await bodyData()
        do {
            return try CoderJSON.decode(type, from: data)
        } catch {
            throw SandboxError.invalidJSON("\(error)")
        }
    }
}

/// Builds Coder-shaped responses.
enum Reply {
    static let jsonType = "application/json; charset=utf-8"

    static func json<T: Encodable>(_ value: T, status: Int = 200) throws -> Response {
        raw(status: status, contentType: jsonType, body: try CoderJSON.encode(value))
    }

    /// A literal JSON `null` body (e.g. the app-status PATCH).
    static func null(status: Int = 200) -> Response {
        raw(status: status, contentType: jsonType, body: Data("null\n".utf8))
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
        return raw(status: error.status, contentType: jsonType, body: data, headers: error.headers)
    }
}
