import CoderAPI
import Fleet
import Foundation

/// One kind of receiver of fleet events: it says which webhook URLs are its own and how an event is POSTed there.
///
/// Adding a sink: one type conforming to this protocol in `Sinks/`, and its line in ``NotificationSinks/all``
/// (before ``JSONWebhookSink``, which takes every URL no other sink claims).
public protocol NotificationSink: Sendable {
    /// A short name, for logs and help texts (`json`, `slack`, `ntfy`).
    var name: String { get }
    /// Whether this sink speaks the receiver at `url`.
    func accepts(_ url: URL) -> Bool
    /// The body and headers for `event`. `idempotencyKey` names the delivery (the same on every attempt and after a
    /// restart); ``Notifier`` also sends it as the `Idempotency-Key` header.
    func request(for event: FleetEvent, to url: URL, idempotencyKey: String?) throws -> CoderHTTPRequest
}

/// The sinks fleet-mcp knows, most specific first.
public enum NotificationSinks {
    public static let all: [any NotificationSink] = [SlackSink(), NtfySink(), JSONWebhookSink()]

    /// The sink for a webhook URL: the first that accepts it (the JSON webhook takes any).
    public static func sink(for url: URL) -> any NotificationSink {
        all.first { $0.accepts(url) } ?? JSONWebhookSink()
    }
}

/// The words a sink puts around an event.
public enum EventText {
    public static func headline(_ event: FleetEvent) -> String {
        switch event.newStatus {
        case .needsInput: "\(event.agent) needs input"
        case .complete: "\(event.agent) is done"
        case .failed: "\(event.agent) failed"
        case .paused: "\(event.agent) was paused"
        default: "\(event.agent) is \(event.newStatus.rawValue)"
        }
    }

    public static func detail(_ event: FleetEvent) -> String {
        [event.report?.message, event.reason, event.report?.uri.isEmpty == false ? event.report?.uri : nil].compactMap { $0 }.joined(separator: " — ")
    }
}
