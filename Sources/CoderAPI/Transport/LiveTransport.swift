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
    /// AsyncHTTPClient 1.37 reports a refused connection only when its connect timeout ends (measured here: a
    /// refused loopback port takes exactly the connect timeout), so that timeout bounds how soon a down Coder is
    /// noticed; it does not retry on its own (`CoderClient` retries, with its own backoff and deadline).
    public init(connectTimeout: Duration = .seconds(2), maxResponseBytes: Int = 64 << 20) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .init(connectTimeout)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool = .init(idleTimeout: .seconds(60))
        configuration.decompression = .enabled(limit: .ratio(200))
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.ownsClient = true
        self.maxResponseBytes = maxResponseBytes
    }

    public func shutdown() async throws {
        if ownsClient { try await client.shutdown() }
    }

    public func send(_ request: CoderHTTPRequest) async throws -> CoderHTTPResponse {
        try await exchange(request) { response in
            let buffer = try await response.body.collect(upTo: maxResponseBytes)
            return Data(buffer.readableBytesView)
        }
    }

    /// Streams a 2xx body into `consumer` as AsyncHTTPClient reads it, so a large answer (the workspace list of a
    /// big fleet) is never held whole; at most `maxResponseBytes` are read.
    public func send<Consumer: ResponseBodyConsumer>(
        _ request: CoderHTTPRequest, streamingInto consumer: inout Consumer
    ) async throws
        -> CoderHTTPResponse
    {
        let limit = maxResponseBytes
        return try await exchange(request) { response in
            guard (200..<300).contains(response.status.code) else {
                return Data(try await response.body.collect(upTo: limit).readableBytesView)
            }
            var total = 0
            for try await piece in response.body {
                total += piece.readableBytes
                guard total <= limit else {
                    throw TransportError(request: request.description, reason: "Coder's answer is larger than \(limit >> 20) MiB")
                }
                do { try piece.withUnsafeReadableBytes { try consumer.consume($0) } } catch { throw ConsumerFailure(error: error) }
            }
            return Data()
        }
    }

    /// Sends `request`, reads the body with `readBody`, and turns AsyncHTTPClient's errors into `TransportError`s.
    private func exchange(
        _ request: CoderHTTPRequest, readBody: (HTTPClientResponse) async throws -> Data
    ) async throws
        -> CoderHTTPResponse
    {
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await client.execute(outgoing, timeout: .init(request.timeout))
            return CoderHTTPResponse(
                status: Int(response.status.code),
                headers: response.headers.map { ($0.name, $0.value) },
                body: try await readBody(response)
            )
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
                let reason = Self.plain(error)
                throw TransportError(request: request.description, reason: reason, isConnectFailure: Self.connectFailures.contains(reason))
            }
        } catch let error as TransportError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            let reason = Self.plain(error)
            throw TransportError(request: request.description, reason: reason, isConnectFailure: Self.connectFailures.contains(reason))
        }
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
