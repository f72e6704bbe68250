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
    /// How long a URL that timed out rests before it is tried again.
    let restAfterTimeout: Duration

    init(
        transport: any HTTPTransport, stateFile: URL, state: WatchState,
        backoff: [Duration] = [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4)],
        restAfterTimeout: Duration = .seconds(60), logger: Logger
    ) {
        self.transport = transport
        self.stateFile = stateFile
        self.state = state
        self.backoff = backoff
        self.restAfterTimeout = restAfterTimeout
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

    /// URLs with a delivery under way: one at a time per URL, in order, so a slow receiver holds one connection
    /// (not the host's whole connection pool, which other URLs on the same host share).
    private var busyURLs: Set<String> = []
    /// URLs that timed out, and when they may be tried again: a receiver slower than the timeout may still have
    /// taken the event, so it is not sent again at once (the idempotency key lets it drop a repeat).
    private var resting: [String: ContinuousClock.Instant] = [:]

    /// Starts delivering, for each URL not already busy, its oldest pending delivery.
    func deliverPending() {
        guard !stopping else { return }
        for delivery in state.pending where !busyURLs.contains(delivery.url) {
            if let until = resting[delivery.url], ContinuousClock.now < until { continue }
            busyURLs.insert(delivery.url)
            running.insert(delivery.id)
            Task {
                await self.deliver(delivery)
                self.finished(delivery)
            }
        }
    }

    private func finished(_ delivery: WatchState.Delivery) {
        running.remove(delivery.id)
        busyURLs.remove(delivery.url)
        // The next delivery for that URL, if it was accepted; a failing URL waits for the next round.
        if !state.pending.contains(where: { $0.id == delivery.id }) { deliverPending() }
    }

    private func deliver(_ delivery: WatchState.Delivery) async {
        guard let url = URL(string: delivery.url) else { return }
        for (attempt, wait) in ([Duration.zero] + backoff).enumerated() {
            if wait > .zero { try? await Task.sleep(for: wait) }
            guard !stopping else { return }
            sending.insert(delivery.id)
            defer { sending.remove(delivery.id) }
            do {
                let response = try await transport.send(Self.request(for: delivery, to: url))
                if (200..<300).contains(response.status) {
                    state.pending.removeAll { $0.id == delivery.id }
                    resting[delivery.url] = nil
                    persist()
                    return
                }
                logger.warning("notify \(Self.redacted(url)) answered \(response.status) (attempt \(attempt + 1))")
            } catch let error as TransportError {
                logger.warning("notify \(Self.redacted(url)) failed: \(Self.describe(error)) (attempt \(attempt + 1))")
                if error.isTimeout || error.isFinal {
                    // Not re-POSTed into a slow receiver (or one that redirects): tried again after a long pause.
                    resting[delivery.url] = ContinuousClock.now + restAfterTimeout
                    return
                }
            } catch {
                logger.warning("notify \(Self.redacted(url)) failed (attempt \(attempt + 1))")
            }
        }
    }

    /// A transport error without the request's path and query (a webhook's path is its secret).
    static func describe(_ error: TransportError) -> String {
        error.isTimeout ? "no answer within \(TransportError.seconds(error.after ?? .seconds(10))) s" : error.reason
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

    /// A key that names one event for one URL, the same on every attempt and after a restart: receivers that honour
    /// `Idempotency-Key` (or read `idempotency_key` from the JSON body) drop repeats.
    static func idempotencyKey(_ id: String) -> String {
        var first: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x84222325_cbf29ce4
        for byte in id.utf8 {
            first = (first ^ UInt64(byte)) &* 0x100_0000_01b3
            second = (second ^ UInt64(byte)) &* 0x100_0000_01b3 &+ 0x9e37_79b9
        }
        return "fleet-" + String(first, radix: 16) + String(second, radix: 16)
    }

    static func request(for delivery: WatchState.Delivery, to url: URL) throws -> CoderHTTPRequest {
        let key = idempotencyKey(delivery.id)
        var request = try request(for: delivery.event, to: url, idempotencyKey: key)
        request.headers.append(("Idempotency-Key", key))
        return request
    }

    static func request(for event: FleetEvent, to url: URL, idempotencyKey: String? = nil) throws -> CoderHTTPRequest {
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
                var idempotencyKey: String?
            }
            request.body = try FleetJSON.encoder().encode(
                Body(event: event, text: "\(headline(event)): \(detail(event))", idempotencyKey: idempotencyKey))
            request.headers = [("Content-Type", "application/json")]
        }
        return request
    }
}
