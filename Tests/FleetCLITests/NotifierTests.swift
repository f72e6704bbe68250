import CoderAPI
import Fleet
import Foundation
import Testing

@testable import FleetCLI

/// Webhook bodies: plain JSON, Slack's text, ntfy's headers.
@Suite struct NotifierTests {
    let event = FleetEvent(
        agent: "ada", project: "webshop", oldStatus: .busy, newStatus: .needsInput, at: Date(timeIntervalSince1970: 1_800_000_000),
        report: HistoryEntry(
            id: "r", state: "failure", message: "Which currency?", uri: "", needsUserAttention: true,
            createdAt: Date(timeIntervalSince1970: 1_800_000_000)),
        reason: nil)

    @Test func slackGetsText() throws {
        let request = try Notifier.request(for: event, to: URL(string: "https://hooks.slack.com/services/T/B/X")!)
        let body = try JSONSerialization.jsonObject(with: request.body ?? Data()) as? [String: Any]
        #expect((body?["text"] as? String)?.contains("ada needs input") == true)
        #expect(body?.count == 1)
    }

    @Test func ntfyGetsTitleAndPriority() throws {
        let request = try Notifier.request(for: event, to: URL(string: "https://ntfy.sh/my-fleet")!)
        #expect(request.header("Title") == "ada needs input")
        #expect(request.header("Priority") == "high")
        #expect(String(decoding: request.body ?? Data(), as: UTF8.self) == "Which currency?")
    }

    @Test func othersGetTheEventAsJSON() throws {
        let request = try Notifier.request(for: event, to: URL(string: "http://127.0.0.1:9/hook")!)
        let body = try JSONSerialization.jsonObject(with: request.body ?? Data()) as? [String: Any]
        let inner = body?["event"] as? [String: Any]
        #expect(inner?["agent"] as? String == "ada" && inner?["new_status"] as? String == "needs_input")
    }

    @Test func stateRoundTrips() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("watch-\(UUID().uuidString)/state.json")
        let state = WatchState(cursor: "2026-12-01T00:00:00Z", pending: [.init(id: "x", url: "http://h/", event: event)])
        try state.save(file)
        let loaded = try WatchState.load(file)
        #expect(loaded.cursor == state.cursor && loaded.pending == state.pending)
        // Issue 22: only the owner may read it (webhook URLs are secrets); before, it was 0644.
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
    }

    /// Before issue 22 a broken state file was silently replaced by an empty one.
    @Test func brokenStateFileIsReportedByPath() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("watch-\(UUID().uuidString).json")
        try "{not json".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect { try WatchState.load(file) } throws: { "\($0)".contains(file.path) }
    }

    /// Before issue 22 two watchers on one state file both sent every event.
    @Test func oneWatcherPerStateFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("watch-\(UUID().uuidString)/state.json")
        let held = try WatchState.lock(file)
        defer { close(held) }
        #expect { _ = try WatchState.lock(file) } throws: { "\($0)".contains("another fleet-mcp watch uses the state file \(file.path)") }
    }

    /// The same key on every attempt of one delivery, in the header and the JSON body; another for another event.
    @Test func idempotencyKeyPerEvent() throws {
        let delivery = WatchState.Delivery(id: "ada|needs_input|2027|http://127.0.0.1:9/hook", url: "http://127.0.0.1:9/hook", event: event)
        let first = try Notifier.request(for: delivery, to: URL(string: delivery.url)!)
        let again = try Notifier.request(for: delivery, to: URL(string: delivery.url)!)
        let key = try #require(first.header("Idempotency-Key"))
        #expect(again.header("Idempotency-Key") == key)
        let body = try JSONSerialization.jsonObject(with: first.body ?? Data()) as? [String: Any]
        #expect(body?["idempotency_key"] as? String == key)
        var other = delivery
        other.id = "ada|complete|2027|http://127.0.0.1:9/hook"
        #expect(try Notifier.request(for: other, to: URL(string: delivery.url)!).header("Idempotency-Key") != key)
    }

    @Test func errorsNeverNameTheSecretPath() {
        let error = TransportError(request: "POST /services/T000/B000/SECRET", reason: "connection refused")
        #expect(!Notifier.describe(error).contains("SECRET"))
        let timeout = TransportError(request: "POST /services/T000/B000/SECRET", reason: "x", isTimeout: true, after: .seconds(10))
        #expect(!Notifier.describe(timeout).contains("SECRET"))
    }
}
