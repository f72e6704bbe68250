import CoderAPI
import Fleet
import Foundation

/// Slack incoming webhooks (`hooks.slack.com`): `{"text": …}`.
public struct SlackSink: NotificationSink {
    public init() {}
    public var name: String { "slack" }

    public func accepts(_ url: URL) -> Bool {
        let host = url.host?.lowercased() ?? ""
        return host == "hooks.slack.com" || host.hasSuffix(".slack.com")
    }

    public func request(for event: FleetEvent, to url: URL, idempotencyKey: String?) throws -> CoderHTTPRequest {
        struct Slack: Encodable { var text: String }
        var request = CoderHTTPRequest(method: "POST", url: url, timeout: .seconds(10))
        request.body = try JSONEncoder().encode(Slack(text: "*\(EventText.headline(event))* (\(event.project)): \(EventText.detail(event))"))
        request.headers = [("Content-Type", "application/json")]
        return request
    }
}
