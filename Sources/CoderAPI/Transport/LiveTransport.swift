import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Talks to a real server with AsyncHTTPClient (connection pooling, keep-alive, TLS).
public final class LiveTransport: HTTPTransport {
    private let client: HTTPClient
    private let ownsClient: Bool
    /// Responses larger than this are refused (a workspace list of a large fleet is a few MiB).
    public let maxResponseBytes: Int

    /// Uses the given client; the caller shuts it down.
    public init(client: HTTPClient, maxResponseBytes: Int = 64 << 20) {
        self.client = client
        self.ownsClient = false
        self.maxResponseBytes = maxResponseBytes
    }

    /// Creates and owns a client with connection reuse; call `shutdown()` when done.
    ///
    /// A failed connection attempt fails the request at once: AsyncHTTPClient would otherwise keep retrying it until
    /// the request's deadline, and `CoderClient` already retries with its own backoff and deadline. The connect
    /// timeout only bounds a host that never answers.
    public init(connectTimeout: Duration = .seconds(5), maxResponseBytes: Int = 64 << 20) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .init(connectTimeout)
        configuration.connectionPool = .init(idleTimeout: .seconds(60))
        configuration.connectionPool.retryConnectionEstablishment = false
        // A body that stops arriving altogether; a slow trickle is cut by the request's deadline (`readBody`).
        configuration.timeout.read = .seconds(10)
        configuration.decompression = .enabled(limit: .ratio(200))
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.ownsClient = true
        self.maxResponseBytes = maxResponseBytes
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
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        // AsyncHTTPClient's deadline ends once the headers arrive: the body is read within what is left of it.
        let deadline = ContinuousClock.now + request.timeout
        do {
            let response = try await client.execute(outgoing, timeout: .init(request.timeout))
            let body = try await readBody(response, deadline)
            return CoderHTTPResponse(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: body)
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
