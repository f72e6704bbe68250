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
        let route = CoderRoute.template(of: URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? "")
        let method = ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(request.method) ? request.method : "OTHER"
        let started = ContinuousClock.now
        do {
            let response = try await upstream.send(request)
            metrics.coderRequest(method: method, route: route, status: String(response.status), duration: ContinuousClock.now - started)
            return response
        } catch let error as TransportError {
            metrics.coderRequest(method: method, route: route, status: error.isTimeout ? "timeout" : "error", duration: ContinuousClock.now - started)
            throw error
        } catch {
            metrics.coderRequest(
                method: method, route: route, status: error is CancellationError ? "cancelled" : "error",
                duration: ContinuousClock.now - started)
            throw error
        }
    }
}
