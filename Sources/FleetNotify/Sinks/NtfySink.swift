import CoderAPI
import Fleet
import Foundation

/// ntfy topics (a host with `ntfy` in its name): the detail as the body, headline, priority and tags as headers.
public struct NtfySink: NotificationSink {
    public init() {}
    public var name: String { "ntfy" }
    public func accepts(_ url: URL) -> Bool { url.host?.lowercased().contains("ntfy") ?? false }

    public func request(for event: FleetEvent, to url: URL, idempotencyKey: String?) throws -> CoderHTTPRequest {
        var request = CoderHTTPRequest(method: "POST", url: url, timeout: .seconds(10))
        request.body = Data(EventText.detail(event).utf8)
        request.headers = [
            ("Title", EventText.headline(event)), ("Priority", [.needsInput, .failed].contains(event.newStatus) ? "high" : "default"),
            ("Tags", event.newStatus.rawValue), ("Content-Type", "text/plain; charset=utf-8"),
        ]
        return request
    }
}
