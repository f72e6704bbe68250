import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Talks to a real server with AsyncHTTPClient (connection pooling, keep-alive, TLS).
///
/// Redirects are followed here, not by AsyncHTTPClient, and only within the request's origin (scheme, host, port):
/// AsyncHTTPClient would forward `Coder-Session-Token` and the forges' tokens to whatever host a redirect names. A
/// redirect to another origin fails the request with an error naming the host and what to set instead.
public final class LiveTransport: HTTPTransport {
    private let client: HTTPClient
    private let ownsClient: Bool
    /// Responses larger than this are refused (a workspace list of a large fleet is a few MiB).
    public let maxResponseBytes: Int
    public let redirects: RedirectPolicy

    /// Which redirects a transport follows.
    public enum RedirectPolicy: Sendable {
        /// Redirects within the request's origin, at most this many in a row; one to another origin is refused.
        case sameOrigin(maxHops: Int)
        /// None (webhooks: a redirect is reported, never followed, so a POST never becomes a GET elsewhere).
        case never
    }

    /// Uses the given client; the caller shuts it down. The client must not follow redirects itself
    /// (`redirectConfiguration = .disallow`) for `redirects` to hold.
    public init(client: HTTPClient, maxResponseBytes: Int = 64 << 20, redirects: RedirectPolicy = .sameOrigin(maxHops: 5)) {
        self.client = client
        self.ownsClient = false
        self.maxResponseBytes = maxResponseBytes
        self.redirects = redirects
    }

    /// Creates and owns a client with connection reuse; call `shutdown()` when done.
    ///
    /// A failed connection attempt fails the request at once: AsyncHTTPClient would otherwise keep retrying it until
    /// the request's deadline, and `CoderClient` already retries with its own backoff and deadline. The connect
    /// timeout only bounds a host that never answers.
    public init(connectTimeout: Duration = .seconds(5), maxResponseBytes: Int = 64 << 20, redirects: RedirectPolicy = .sameOrigin(maxHops: 5)) {
        var configuration = HTTPClient.Configuration()
        // Followed in `exchange`, within the origin only (credentials never cross to another host).
        configuration.redirectConfiguration = .disallow
        configuration.timeout.connect = .init(connectTimeout)
        configuration.connectionPool = .init(idleTimeout: .seconds(60))
        configuration.connectionPool.retryConnectionEstablishment = false
        // A body that stops arriving altogether; a slow trickle is cut by the request's deadline (`readBody`).
        configuration.timeout.read = .seconds(10)
        configuration.decompression = .enabled(limit: .ratio(200))
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.ownsClient = true
        self.maxResponseBytes = maxResponseBytes
        self.redirects = redirects
    }

    public func shutdown() async throws {
        if ownsClient { try await client.shutdown() }
    }

    public func send(_ request: CoderHTTPRequest) async throws -> CoderHTTPResponse {
        var body = Data()
        return try await exchange(request) { response, deadline in
            try await Self.read(response, request, limit: maxResponseBytes, until: deadline) { body.append(contentsOf: $0) }
            return body
        }
    }

    /// Reads the body piece by piece, within the size limit and the request's deadline (AsyncHTTPClient's own deadline
    /// ends once the headers arrive, and its read timeout only notices a body that stops altogether).
    static func read(
        _ response: HTTPClientResponse, _ request: CoderHTTPRequest, limit: Int, until deadline: ContinuousClock.Instant,
        _ take: (UnsafeRawBufferPointer) throws -> Void
    ) async throws {
        var total = 0
        for try await piece in response.body {
            total += piece.readableBytes
            guard total <= limit else { throw tooLarge(request, limit: limit) }
            guard ContinuousClock.now < deadline else {
                throw TransportError(request: request.description, reason: "Coder's answer came too slowly", isTimeout: true, after: request.timeout)
            }
            do { try piece.withUnsafeReadableBytes { try take($0) } } catch { throw ConsumerFailure(error: error) }
        }
    }

    /// An answer over the size limit: final, since asking again would download it again.
    static func tooLarge(_ request: CoderHTTPRequest, limit: Int) -> TransportError {
        TransportError(request: request.description, reason: "Coder's answer is larger than \(limit >> 20) MiB", isFinal: true)
    }

    /// Streams a 2xx body into `consumer` as AsyncHTTPClient reads it, so a large answer (the workspace list of a
    /// big fleet) is never held whole; at most `maxResponseBytes` are read.
    public func send<Consumer: ResponseBodyConsumer>(
        _ request: CoderHTTPRequest, streamingInto consumer: inout Consumer
    ) async throws
        -> CoderHTTPResponse
    {
        let limit = maxResponseBytes
        return try await exchange(request) { response, deadline in
            var body = Data()
            if (200..<300).contains(response.status.code) {
                try await Self.read(response, request, limit: limit, until: deadline) { try consumer.consume($0) }
            } else {
                try await Self.read(response, request, limit: limit, until: deadline) { body.append(contentsOf: $0) }
            }
            return body
        }
    }

    /// Sends `request`, reads the body with `readBody`, and turns AsyncHTTPClient's errors into `TransportError`s.
    private func exchange(
        _ request: CoderHTTPRequest, readBody: (HTTPClientResponse, ContinuousClock.Instant) async throws -> Data
    ) async throws
        -> CoderHTTPResponse
    {
        // AsyncHTTPClient's deadline ends once the headers arrive: the body is read within what is left of it.
        let deadline = ContinuousClock.now + request.timeout
        var current = request
        var hops = 0
        do {
            while true {
                var outgoing = HTTPClientRequest(url: current.url.absoluteString)
                outgoing.method = HTTPMethod(rawValue: current.method)
                for (name, value) in current.headers { outgoing.headers.add(name: name, value: value) }
                if let body = current.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
                let left = deadline - ContinuousClock.now
                let response = try await client.execute(outgoing, timeout: .init(max(left, .milliseconds(1))))
                let code = Int(response.status.code)
                if Self.redirectStatuses.contains(code), let location = response.headers.first(name: "Location"),
                    let target = URL(string: location, relativeTo: current.url)?.absoluteURL
                {
                    try Self.checkRedirect(request, to: target, status: code, hops: hops, policy: redirects)
                    hops += 1
                    current.url = target
                    // As browsers and AsyncHTTPClient do: 303, and 301/302 after anything but GET or HEAD, go on as GET.
                    if code == 303 || ([301, 302].contains(code) && !["GET", "HEAD"].contains(current.method)) {
                        current.method = "GET"
                        current.body = nil
                    }
                    continue
                }
                let body = try await readBody(response, deadline)
                return CoderHTTPResponse(status: code, headers: response.headers.map { ($0.name, $0.value) }, body: body)
            }
        } catch let failure as ConsumerFailure {
            throw failure.error
        } catch let error as HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout:
                throw TransportError(request: request.description, reason: "Coder did not answer in time", isTimeout: true, after: request.timeout)
            case .connectTimeout:
                throw TransportError(request: request.description, reason: "the connection to Coder timed out", isConnectFailure: true)
            case .remoteConnectionClosed:
                throw TransportError(request: request.description, reason: "Coder closed the connection before answering")
            case .bodyLengthMismatch:
                throw TransportError(request: request.description, reason: "Coder's answer was cut off or too large")
            default:
                throw Self.failure(request, error)
            }
        } catch let error as TransportError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw Self.failure(request, error)
        }
    }

    static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]

    /// Same scheme, host and port (the default port of the scheme when none is given).
    static func sameOrigin(_ a: URL, _ b: URL) -> Bool {
        func port(_ url: URL) -> Int? { url.port ?? (url.scheme?.lowercased() == "https" ? 443 : url.scheme?.lowercased() == "http" ? 80 : nil) }
        return a.scheme?.lowercased() == b.scheme?.lowercased() && a.host?.lowercased() == b.host?.lowercased() && port(a) == port(b)
    }

    /// Throws unless `policy` allows following `request`'s redirect to `target`; the error names the target's
    /// origin (never its path or query, which may hold secrets) and what to set instead.
    static func checkRedirect(_ request: CoderHTTPRequest, to target: URL, status: Int, hops: Int, policy: RedirectPolicy) throws {
        let origin = "\(target.scheme ?? "https")://\(target.host ?? "?")\(target.port.map { ":\($0)" } ?? "")"
        switch policy {
        case .never:
            throw TransportError(
                request: request.description,
                reason: "answered \(status), a redirect to \(origin); redirects are not followed: use the URL it redirects to", isFinal: true)
        case .sameOrigin(let maxHops):
            guard sameOrigin(target, request.url) else {
                let advice: String
                if request.header("Coder-Session-Token") != nil {
                    // The deployment's base URL: the target without the path this request asked for.
                    let path = request.url.path
                    var base = target.path.hasSuffix(path) && path.count > 1 ? String(target.path.dropLast(path.count)) : ""
                    if base.hasSuffix("/") { base.removeLast() }
                    advice =
                        "the Coder token is never sent to another origin. If Coder is served there, set CODER_URL "
                        + "(or --coder-url) to \(origin)\(base)"
                } else {
                    advice = "credentials are never sent to another origin; use \(origin) directly if that is where the service lives"
                }
                throw TransportError(
                    request: request.description,
                    reason: "answered \(status), a redirect to another origin (\(origin)): \(advice)", isFinal: true)
            }
            guard hops < maxHops else {
                throw TransportError(request: request.description, reason: "more than \(maxHops) redirects in a row", isFinal: true)
            }
        }
    }

    /// Any other failure, in words, with whether it means Coder cannot be reached or asking again cannot help.
    private static func failure(_ request: CoderHTTPRequest, _ error: any Error) -> TransportError {
        let reason = plain(error)
        return TransportError(
            request: request.description, reason: reason, isConnectFailure: connectFailures.contains(reason),
            isFinal: reason.hasPrefix("TLS handshake failed"))
    }
}

/// An error of the body's consumer (e.g. a decoding error), passed through unchanged.
private struct ConsumerFailure: Error {
    var error: any Error
}

extension LiveTransport {
    static let connectFailures: Set<String> = ["connection refused", "host name could not be resolved"]

    /// A connection failure in words: "connection refused", "host not found", else the error's own text.
    static func plain(_ error: any Error) -> String {
        let text = "\(error)"
        let lower = text.lowercased()
        if lower.contains("connection refused") || lower.contains("econnrefused") { return "connection refused" }
        if lower.contains("no such host") || lower.contains("name or service not known") || lower.contains("nodename nor servname")
            || lower.contains("could not resolve") || lower.contains("unknown host") || lower.contains("lookup")
        {
            return "host name could not be resolved"
        }
        if lower.contains("connection reset") || lower.contains("econnreset") { return "connection reset by Coder" }
        if lower.contains("certificate") || lower.contains("tls") || lower.contains("ssl") { return "TLS handshake failed: \(text)" }
        return text
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
