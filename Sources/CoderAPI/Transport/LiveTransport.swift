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
    /// A refused or unresolvable connection fails at once: AsyncHTTPClient would otherwise keep retrying the
    /// connection until the request's deadline, and `CoderClient` already retries with its own backoff.
    public init(connectTimeout: Duration = .seconds(3), maxResponseBytes: Int = 64 << 20) {
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
    ///
    /// Parts are handed over on the event loop that reads them (a response delegate), not through the async body
    /// sequence: that sequence holds one part at a time, so each part would cost two thread hops (a 9 MB list comes in
    /// hundreds of parts) and reading would stop while a part is decoded.
    public func send<Consumer: ResponseBodyConsumer>(_ request: CoderHTTPRequest, streamingInto consumer: inout Consumer) async throws
        -> CoderHTTPResponse
    {
        let delegate = StreamingDelegate(consumer: consumer, limit: maxResponseBytes, request: request.description)
        do {
            var outgoing = try HTTPClient.Request(url: request.url.absoluteString, method: HTTPMethod(rawValue: request.method))
            for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
            if let body = request.body { outgoing.body = .bytes(body) }
            let task = client.execute(request: outgoing, delegate: delegate, deadline: .now() + .init(request.timeout))
            try await withTaskCancellationHandler { _ = try await task.get() } onCancel: { task.cancel() }
        } catch {
            if let failure = delegate.failure { throw failure }
            throw Self.transportError(error, request)
        }
        consumer = delegate.consumer
        return CoderHTTPResponse(status: delegate.status, headers: delegate.headers, body: Data(delegate.collected.readableBytesView))
    }

    /// Sends `request`, reads the body with `readBody`, and turns AsyncHTTPClient's errors into `TransportError`s.
    private func exchange(_ request: CoderHTTPRequest, readBody: (HTTPClientResponse) async throws -> Data) async throws
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
        } catch {
            throw Self.transportError(error, request)
        }
    }

    /// AsyncHTTPClient's errors as `TransportError`s (cancellation stays cancellation).
    static func transportError(_ error: any Error, _ request: CoderHTTPRequest) -> any Error {
        switch error {
        case let error as HTTPClientError:
            switch error {
            case .deadlineExceeded, .readTimeout:
                return TransportError(request: request.description, reason: "Coder did not answer in time", isTimeout: true, after: request.timeout)
            case .connectTimeout:
                return TransportError(request: request.description, reason: "the connection to Coder timed out")
            case .remoteConnectionClosed:
                return TransportError(request: request.description, reason: "Coder closed the connection before answering")
            case .bodyLengthMismatch:
                return TransportError(request: request.description, reason: "Coder's answer was cut off or too large")
            case .cancelled:
                return CancellationError()
            default:
                return TransportError(request: request.description, reason: plain(error))
            }
        case let error as TransportError: return error
        case is CancellationError: return CancellationError()
        default: return TransportError(request: request.description, reason: plain(error))
        }
    }
}

/// Receives a response on its event loop: a 2xx body goes to the consumer part by part, any other is collected.
///
/// `@unchecked Sendable`: AsyncHTTPClient calls a delegate's methods one at a time on one event loop, and
/// `LiveTransport` reads the results only after the request's future has completed.
private final class StreamingDelegate<Consumer: ResponseBodyConsumer>: HTTPClientResponseDelegate, @unchecked Sendable {
    struct Done: Sendable {}
    typealias Response = Done

    var consumer: Consumer
    let limit: Int
    let request: String
    var status = 0
    var headers: [(name: String, value: String)] = []
    var collected = ByteBuffer()
    var received = 0
    /// The consumer's error, or the size limit's.
    var failure: (any Error)?

    init(consumer: Consumer, limit: Int, request: String) {
        self.consumer = consumer
        self.limit = limit
        self.request = request
    }

    func didReceiveHead(task: HTTPClient.Task<Done>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        status = Int(head.status.code)
        headers = head.headers.map { ($0.name, $0.value) }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Done>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        received += buffer.readableBytes
        guard received <= limit else {
            let error = TransportError(request: request, reason: "Coder's answer is larger than \(limit >> 20) MiB")
            failure = error
            return task.eventLoop.makeFailedFuture(error)
        }
        guard (200..<300).contains(status) else {
            var part = buffer
            collected.writeBuffer(&part)
            return task.eventLoop.makeSucceededVoidFuture()
        }
        do {
            try buffer.withUnsafeReadableBytes { try consumer.consume($0) }
            return task.eventLoop.makeSucceededVoidFuture()
        } catch {
            failure = error
            return task.eventLoop.makeFailedFuture(error)
        }
    }

    func didReceiveError(task: HTTPClient.Task<Done>, _ error: any Error) {}

    func didFinishRequest(task: HTTPClient.Task<Done>) throws -> Done { Done() }
}

extension LiveTransport {
    /// A connection failure in words: "connection refused", "host not found", else the error's own text.
    static func plain(_ error: any Error) -> String {
        let text = "\(error)"
        let lower = text.lowercased()
        if lower.contains("connection refused") || lower.contains("econnrefused") { return "connection refused" }
        if lower.contains("no such host") || lower.contains("name or service not known") || lower.contains("nodename nor servname")
            || lower.contains("could not resolve") || lower.contains("unknown host") || lower.contains("lookup") {
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
