import Foundation
import Synchronization

/// Concurrent identical GETs share one request: while a GET for a URL with a given set of headers (the session token
/// among them, so two users never share) is in flight, the same GET waits for its answer instead of asking Coder
/// again. Nothing is kept once the answer is in: the next GET asks anew, so the server stays stateless.
///
/// Sixteen `list_agents` of one user at once cost one workspace list instead of sixteen. Other methods pass through.
public final class SingleFlightTransport: HTTPTransport {
    let upstream: any HTTPTransport
    private let inFlight = Mutex<[String: Task<CoderHTTPResponse, any Error>]>([:])

    public init(_ upstream: any HTTPTransport) { self.upstream = upstream }

    /// Requests in flight now (for tests).
    var flying: Int { inFlight.withLock { $0.count } }

    static func key(_ request: CoderHTTPRequest) -> String? {
        guard request.method == "GET", request.body == nil else { return nil }
        let headers = request.headers.map { "\($0.name.lowercased()):\($0.value)" }.sorted().joined(separator: "\n")
        return request.url.absoluteString + "\n" + headers
    }

    public func send(_ request: CoderHTTPRequest) async throws -> CoderHTTPResponse {
        guard let key = Self.key(request) else { return try await upstream.send(request) }
        let upstream = self.upstream
        let task = inFlight.withLock { flights -> Task<CoderHTTPResponse, any Error> in
            if let running = flights[key] { return running }
            let task = Task { [weak self] in
                defer { self?.land(key) }
                return try await upstream.send(request)
            }
            flights[key] = task
            return task
        }
        // The shared request is not cancelled with one waiter: it goes on for the others, bounded by its timeout.
        return try await task.value
    }

    /// Shared GETs are collected once and handed to each waiter's consumer.
    public func send<Consumer: ResponseBodyConsumer>(
        _ request: CoderHTTPRequest, streamingInto consumer: inout Consumer
    ) async throws -> CoderHTTPResponse {
        guard Self.key(request) != nil else { return try await upstream.send(request, streamingInto: &consumer) }
        var response = try await send(request)
        guard (200..<300).contains(response.status) else { return response }
        try response.body.withUnsafeBytes { try consumer.consume($0) }
        response.body = Data()
        return response
    }

    private func land(_ key: String) { _ = inFlight.withLock { $0.removeValue(forKey: key) } }
}
