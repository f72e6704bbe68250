import CoderAPI
import Fleet
import Foundation

/// Any webhook: the event as JSON (`{"event": …, "text": …, "idempotency_key": …}`).
public struct JSONWebhookSink: NotificationSink {
    public init() {}
    public var name: String { "json" }
    public func accepts(_ url: URL) -> Bool { true }

    public func request(for event: FleetEvent, to url: URL, idempotencyKey: String?) throws -> CoderHTTPRequest {
        struct Body: Encodable {
            var event: FleetEvent
            var text: String
            var idempotencyKey: String?
        }
        var request = CoderHTTPRequest(method: "POST", url: url, timeout: .seconds(10))
        request.body = try FleetJSON.encoder().encode(
            Body(event: event, text: "\(EventText.headline(event)): \(EventText.detail(event))", idempotencyKey: idempotencyKey))
        request.headers = [("Content-Type", "application/json")]
        return request
    }
}
