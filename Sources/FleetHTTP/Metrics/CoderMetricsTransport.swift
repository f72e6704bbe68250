import CoderAPI
import Foundation

/// Measures every Coder request (count by method, route template and status; latency by method and route)
/// and passes it on unchanged.
public struct CoderMetricsTransport: HTTPTransport {
    public let upstream: any HTTPTransport
    let metrics: FleetMetrics

    public init(_ upstream: any HTTPTransport, metrics: FleetMetrics) {
        self.upstream = upstream
        self.metrics = metrics
    }

    public func send(_ request: CoderHTTPRequest) async throws -> CoderHTTPResponse {
        try await measured(request) { try await upstream.send(request) }
    }

    /// Streams like the transport it wraps, so a large answer is not held whole in HTTP mode either.
    public func send<Consumer: ResponseBodyConsumer>(
        _ request: CoderHTTPRequest, streamingInto consumer: inout Consumer
    ) async throws -> CoderHTTPResponse {
        let route = Self.route(of: request)
        let started = ContinuousClock.now
        do {
            let response = try await upstream.send(request, streamingInto: &consumer)
            record(request, route, String(response.status), started)
            return response
        } catch {
            record(request, route, Self.outcome(of: error), started)
            throw error
        }
    }

    private func measured(_ request: CoderHTTPRequest, _ body: () async throws -> CoderHTTPResponse) async throws -> CoderHTTPResponse {
        let route = Self.route(of: request)
        let started = ContinuousClock.now
        do {
            let response = try await body()
            record(request, route, String(response.status), started)
            return response
        } catch {
            record(request, route, Self.outcome(of: error), started)
            throw error
        }
    }

    private func record(_ request: CoderHTTPRequest, _ route: String, _ status: String, _ started: ContinuousClock.Instant) {
        let method = ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(request.method) ? request.method : "OTHER"
        metrics.coderRequest(method: method, route: route, status: status, duration: ContinuousClock.now - started)
    }

    private static func route(of request: CoderHTTPRequest) -> String {
        CoderRoute.template(of: URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? "")
    }

    /// The status label of a request that got no answer.
    private static func outcome(of error: any Error) -> String {
        switch error {
        case let transport as TransportError: transport.isTimeout ? "timeout" : "error"
        case is CancellationError: "cancelled"
        default: "error"
        }
    }
}
