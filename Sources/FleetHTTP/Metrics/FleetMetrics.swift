import CoreMetrics
import FleetMCP
import Foundation
import Metrics
import Prometheus

/// The server's metrics, recorded with swift-metrics into a Prometheus registry of its own (scraped at `/metrics`).
///
/// Labels are bounded: tool names (a fixed list), outcomes, Coder route *templates* (never ids or names), status
/// codes and rejection reasons. No token, user input or workspace name ever becomes a label.
public final class FleetMetrics: ToolCallObserver {
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let inFlight: Meter

    static let toolCalls = "fleet_mcp_tool_calls_total"
    static let toolDuration = "fleet_mcp_tool_call_duration_seconds"
    static let toolsInFlight = "fleet_mcp_tool_calls_in_flight"
    static let coderRequests = "fleet_mcp_coder_requests_total"
    static let coderDuration = "fleet_mcp_coder_request_duration_seconds"
    static let authFailures = "fleet_mcp_auth_failures_total"
    static let rejections = "fleet_mcp_http_rejections_total"

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Tool calls include bounded waits of up to 45 s.
        factory.durationHistogramBuckets[Self.toolDuration] = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        ]
        self.factory = factory
        inFlight = Meter(label: Self.toolsInFlight, dimensions: [], factory: factory)
        inFlight.set(0)
    }

    /// How a tool call ended: `ok`, `tool_error` (a result with `isError`), `protocol_error` or `cancelled`.
    public typealias Outcome = ToolCallOutcome

    public func toolCallStarted() { inFlight.increment(by: 1) }

    public func toolCallFinished(tool: String, outcome: Outcome, duration: Duration) {
        inFlight.decrement(by: 1)
        Counter(label: Self.toolCalls, dimensions: [("tool", tool), ("outcome", outcome.rawValue)], factory: factory).increment()
        Timer(label: Self.toolDuration, dimensions: [("tool", tool)], factory: factory).recordNanoseconds(duration.nanoseconds)
    }

    /// One request to Coder: `route` is a template such as `/api/v2/workspaces/{workspace}`; `status` the HTTP
    /// status, or `timeout` / `error` when none came back.
    func coderRequest(method: String, route: String, status: String, duration: Duration) {
        let labels = [("method", method), ("route", route), ("status", status)]
        Counter(label: Self.coderRequests, dimensions: labels, factory: factory).increment()
        Timer(label: Self.coderDuration, dimensions: [("method", method), ("route", route)], factory: factory)
            .recordNanoseconds(duration.nanoseconds)
    }

    func authFailure(_ reason: Authenticator.Rejection) {
        Counter(label: Self.authFailures, dimensions: [("reason", reason.rawValue)], factory: factory).increment()
    }

    /// A request refused before it reached MCP: `origin`, `host`, `too_many_requests`, `body_too_large`.
    func rejected(_ reason: String) {
        Counter(label: Self.rejections, dimensions: [("reason", reason)], factory: factory).increment()
    }

    /// The Prometheus text exposition.
    public func exposition() -> String { registry.emitToString() }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
