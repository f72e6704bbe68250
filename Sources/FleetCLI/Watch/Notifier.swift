import CoderAPI
import Fleet
import Foundation
import Logging

/// Delivers attention events to webhooks: a plain JSON body by default, Slack's `{"text": …}` for Slack webhook
/// URLs, ntfy's title and priority headers for ntfy URLs. Deliveries run apart from the watch loop, retry with
/// backoff, and leave the state file only once accepted, so a slow or failing receiver never blocks the watch
/// and a restart retries what was not delivered.
actor Notifier {
    enum Kind: Equatable {
        case json, slack, ntfy

        init(_ url: URL) {
            let host = url.host?.lowercased() ?? ""
            if host == "hooks.slack.com" || host.hasSuffix(".slack.com") {
                self = .slack
            } else if host.contains("ntfy") {
                self = .ntfy
            } else {
                self = .json
            }
        }
    }

    private let transport: any HTTPTransport
    private let stateFile: URL
    private var state: WatchState
    private var running: Set<String> = []
    /// Deliveries whose request is on the wire: the receiver may have taken them while their answer is not in yet.
    private var sending: Set<String> = []
    /// Set when the watcher stops: no new attempt starts (what is pending stays in the state file for the next run).
    private var stopping = false
    private let logger: Logger
    /// Waits between attempts of one delivery; after the last, it stays pending for the next round.
    let backoff: [Duration]

    init(
        transport: any HTTPTransport, stateFile: URL, state: WatchState,
        backoff: [Duration] = [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4)],
        logger: Logger
    ) {
        self.transport = transport
        self.stateFile = stateFile
        self.state = state
        self.backoff = backoff
        self.logger = logger
    }

    var cursor: String? { state.cursor }
    var pendingCount: Int { state.pending.count }

    /// Records the events for every URL and the new cursor in one write, then starts delivering.
    func take(_ events: [FleetEvent], cursor: String, urls: [URL]) {
        for event in events {
            for url in urls {
                let id = "\(event.agent)|\(event.newStatus.rawValue)|\(CoderDate.format(event.at))|\(url.absoluteString)"
                if !state.pending.contains(where: { $0.id == id }) {
                    state.pending.append(WatchState.Delivery(id: id, url: url.absoluteString, event: event))
                }
            }
        }
        state.cursor = cursor
        persist()
        deliverPending()
    }

    /// Starts a delivery task for each pending delivery not already being tried.
    func deliverPending() {
        for delivery in state.pending where !running.contains(delivery.id) && !stopping {
            running.insert(delivery.id)
            Task { await self.deliver(delivery) }
        }
    }

    private func deliver(_ delivery: WatchState.Delivery) async {
        defer { running.remove(delivery.id) }
        guard let url = URL(string: delivery.url) else { return }
        for (attempt, wait) in ([Duration.zero] + backoff).enumerated() {
            if wait > .zero { try? await Task.sleep(for: wait) }
            guard !stopping else { return }
            sending.insert(delivery.id)
            defer { sending.remove(delivery.id) }
            do {
                let response = try await transport.send(Self.request(for: delivery.event, to: url))
                if (200..<300).contains(response.status) {
                    state.pending.removeAll { $0.id == delivery.id }
                    persist()
                    return
                }
                logger.warning("notify \(Self.redacted(url)) answered \(response.status) (attempt \(attempt + 1))")
            } catch {
                logger.warning("notify \(Self.redacted(url)) failed: \(error) (attempt \(attempt + 1))")
            }
        }
    }

    /// Stops starting deliveries and waits (at most `limit`) for the requests already sent, so an event the receiver
    /// took is recorded as delivered before the watcher exits, and is not sent again by the next one.
    func stop(within limit: Duration) async {
        stopping = true
        let deadline = ContinuousClock.now + limit
        while !sending.isEmpty, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
    }

    private func persist() {
        do { try state.save(stateFile) } catch { logger.error("cannot write the watch state to \(stateFile.path): \(error)") }
    }

    /// A webhook URL for logs: its host only (webhook paths are secrets).
    static func redacted(_ url: URL) -> String { "\(url.scheme ?? "https")://\(url.host ?? "?")/…" }

    static func headline(_ event: FleetEvent) -> String {
        switch event.newStatus {
        case .needsInput: "\(event.agent) needs input"
        case .complete: "\(event.agent) is done"
        case .failed: "\(event.agent) failed"
        case .paused: "\(event.agent) was paused"
        default: "\(event.agent) is \(event.newStatus.rawValue)"
        }
    }

    static func detail(_ event: FleetEvent) -> String {
        [event.report?.message, event.reason, event.report?.uri.isEmpty == false ? event.report?.uri : nil].compactMap { $0 }.joined(separator: " — ")
    }

    static func request(for event: FleetEvent, to url: URL) throws -> CoderHTTPRequest {
        var request = CoderHTTPRequest(method: "POST", url: url, timeout: .seconds(10))
        switch Kind(url) {
        case .slack:
            struct Slack: Encodable { var text: String }
            request.body = try JSONEncoder().encode(Slack(text: "*\(headline(event))* (\(event.project)): \(detail(event))"))
            request.headers = [("Content-Type", "application/json")]
        case .ntfy:
            request.body = Data(detail(event).utf8)
            request.headers = [
                ("Title", headline(event)), ("Priority", [.needsInput, .failed].contains(event.newStatus) ? "high" : "default"),
                ("Tags", event.newStatus.rawValue), ("Content-Type", "text/plain; charset=utf-8"),
            ]
        case .json:
            struct Body: Encodable {
                var event: FleetEvent
                var text: String
            }
            request.body = try FleetJSON.encoder().encode(Body(event: event, text: "\(headline(event)): \(detail(event))"))
            request.headers = [("Content-Type", "application/json")]
        }
        return request
    }
}
