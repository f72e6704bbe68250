import Foundation
import Hummingbird
import Synchronization
import Testing

@testable import CoderAPI

/// Credentials never cross to another origin: a redirect to another host or port is refused with what to set,
/// one within the origin is followed, and a transport for webhooks follows none.
@Suite struct RedirectTests {
    /// Serves the "other origin" (another port), recording every credential header it is sent.
    final class Seen: Sendable {
        let requests = Mutex<[String]>([])
        func withLock<T>(_ body: (inout [String]) -> T) -> T { requests.withLock { body(&$0) } }
    }

    static func withOrigins(_ body: (_ coder: URL, _ other: URL, _ seen: Seen) async throws -> Void) async throws {
        let seen = Seen()
        let other = Router()
        other.get("/**") { request, _ -> String in
            let credentials: Set<String> = ["coder-session-token", "authorization", "private-token"]
            for field in request.headers where credentials.contains(field.name.canonicalName) {
                seen.withLock { $0.append("\(field.name): \(field.value)") }
            }
            return "{\"version\":\"v2.35.1\"}"
        }
        other.post("/**") { _, _ -> String in
            seen.withLock { $0.append("POST") }
            return "{}"
        }
        try await Loopback.serve(other) { otherURL in
            let coder = Router()
            coder.get("/api/v2/buildinfo") { _, _ -> Response in
                Response(status: .found, headers: [.location: otherURL.absoluteString + "/api/v2/buildinfo"])
            }
            coder.post("/api/v2/temporary") { _, _ -> Response in
                Response(status: .temporaryRedirect, headers: [.location: otherURL.absoluteString + "/elsewhere"])
            }
            coder.get("/api/v2/moved") { _, _ -> Response in Response(status: .temporaryRedirect, headers: [.location: "/api/v2/final"]) }
            coder.get("/api/v2/final") { _, _ -> String in "{\"version\":\"v2.35.1\"}" }
            coder.post("/hook") { _, _ -> Response in Response(status: .found, headers: [.location: "/hook-moved"]) }
            try await Loopback.serve(coder) { coderURL in try await body(coderURL, otherURL, seen) }
        }
    }

    static func request(_ base: URL, _ path: String, method: String = "GET") -> CoderHTTPRequest {
        CoderHTTPRequest(
            method: method, url: URL(string: base.absoluteString + path)!, headers: [("Coder-Session-Token", "secret-coder-token-1")],
            body: method == "POST" ? Data("{}".utf8) : nil, timeout: .seconds(5))
    }

    @Test func crossOriginRedirectsAreRefusedWithWhatToSet() async throws {
        try await Self.withOrigins { coder, other, seen in
            let transport = LiveTransport()
            for (path, method, status) in [("/api/v2/buildinfo", "GET", 302), ("/api/v2/temporary", "POST", 307)] {
                let error = await #expect(throws: TransportError.self) { _ = try await transport.send(Self.request(coder, path, method: method)) }
                let text = error?.description ?? ""
                #expect(text.contains("answered \(status)"), "\(text)")
                #expect(text.contains(other.absoluteString), "names the other origin: \(text)")
                #expect(text.contains("CODER_URL"), "says what to set: \(text)")
                #expect(error?.isFinal == true)
            }
            #expect(seen.withLock { $0 }.isEmpty, "the other origin was sent nothing")
            // The suggested CODER_URL is the other origin without the path this request asked for.
            let error = await #expect(throws: TransportError.self) { _ = try await transport.send(Self.request(coder, "/api/v2/buildinfo")) }
            #expect(error?.description.hasSuffix("set CODER_URL (or --coder-url) to \(other.absoluteString)") == true, "\(error?.description ?? "")")
            try await transport.shutdown()
        }
    }

    @Test func forgeTokensStayToo() async throws {
        try await Self.withOrigins { coder, _, seen in
            let transport = LiveTransport()
            var request = Self.request(coder, "/api/v2/buildinfo")
            request.headers = [("Authorization", "Bearer ghp_secret")]
            let error = await #expect(throws: TransportError.self) { _ = try await transport.send(request) }
            #expect(error?.description.contains("credentials are never sent to another origin") == true)
            #expect(seen.withLock { $0 }.isEmpty)
            try await transport.shutdown()
        }
    }

    @Test func sameOriginRedirectsAreFollowed() async throws {
        try await Self.withOrigins { coder, _, _ in
            let transport = LiveTransport()
            let response = try await transport.send(Self.request(coder, "/api/v2/moved"))
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self).contains("v2.35.1"))
            try await transport.shutdown()
        }
    }

    @Test func webhookTransportFollowsNoRedirect() async throws {
        try await Self.withOrigins { coder, _, seen in
            let transport = LiveTransport(redirects: .never)
            let error = await #expect(throws: TransportError.self) { _ = try await transport.send(Self.request(coder, "/hook", method: "POST")) }
            #expect(error?.description.contains("redirects are not followed") == true, "\(error?.description ?? "")")
            let other = await #expect(throws: TransportError.self) { _ = try await transport.send(Self.request(coder, "/api/v2/moved")) }
            #expect(other != nil, "not even within the origin")
            #expect(seen.withLock { $0 }.isEmpty)
            try await transport.shutdown()
        }
    }
}
