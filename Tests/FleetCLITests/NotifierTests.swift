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
        let loaded = WatchState.load(file)
        #expect(loaded.cursor == state.cursor && loaded.pending == state.pending)
    }
}
