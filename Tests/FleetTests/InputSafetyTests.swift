import CoderAPI
import Foundation
import Testing

@testable import Fleet

/// What a caller sends is checked before any request: look-alikes, paths, search syntax and huge values.
@Suite struct InputSafetyTests {
    let naming = AgentNaming()

    @Test(arguments: [
        "\u{212A}ilo", "alpha\u{200B}", "a/../b", "x name:y", "owner:someone", "a%2Fb", "\"quoted\"", "a b", "Ａlpha", "..",
    ])
    func lookAlikesAndSyntaxAreRefused(_ input: String) {
        #expect(throws: FleetError.self) { _ = try naming.reference(input) }
    }

    @Test func namesAndIDsAreRead() throws {
        #expect(try naming.reference("  Kilo ") == .name("Kilo"))
        #expect(try naming.reference("agent-kilo") == .name("kilo"))
        let id = UUID()
        #expect(try naming.reference(id.uuidString) == .id(id.uuidString.lowercased()))
    }

    @Test func hugeNamesAreRefusedWithoutEchoingThem() {
        let huge = String(repeating: "a", count: 1 << 20)
        do {
            _ = try naming.reference(huge)
            Issue.record("a 1 MiB name was accepted")
        } catch {
            #expect(error.message.contains("too long"))
            #expect(error.message.count < 300)
        }
    }

    @Test func asciiCaseOnly() {
        #expect("KILO".asciiLowercased == "kilo")
        #expect("\u{212A}ILO".asciiLowercased != "kilo")
    }

    @Test(arguments: [1, 2, 3, 4, Int.max, Int.max / 2, 1 << 62])
    func anyPageNumberIsSafe(_ page: Int) {
        let items = (0..<25).map { LogEntry(id: $0, type: "output", content: "x", time: Date()) }
        let result = Page(agentName: "a", all: items, page: page, pageSize: 10)
        #expect(result.items.count == (page == 1 || page == 2 ? 10 : page == 3 ? 5 : 0))
        #expect(result.totalPages == 3)
        #expect(result.hasPreviousPage == (page > 1))
    }

    @Test func echoIsCapped() {
        #expect(Echo.cap("short") == "short")
        let capped = Echo.cap(String(repeating: "x", count: 10_000), 80)
        #expect(capped.count < 120 && capped.contains("10000 characters"))
    }

    @Test func coderErrorsKeepCodersWordsAndSayWhatToDo() {
        let limited = CoderAPIError(status: 429, message: "Too many requests.", request: "GET /api/v2/workspaces")
        var withRetry = limited
        withRetry.retryAfter = 1
        #expect(FleetError.coder(withRetry, doing: "list workspaces").message.contains("try again in 1 s"))
        #expect(FleetError.coder(limited, doing: "list workspaces").message.contains("Too many requests."))
        let revoked = CoderAPIError(status: 401, message: "API key expired.", request: "GET /api/v2/users/me")
        let text = FleetError.coder(revoked, doing: "look up agent 'a'").message
        #expect(text.contains("API key expired.") && text.contains("CODER_SESSION_TOKEN"))
        let timeout = TransportError(request: "GET /x", reason: "Coder did not answer in time", isTimeout: true, after: .seconds(3))
        let timedOut = FleetError.coder(timeout, doing: "list workspaces").message
        #expect(timedOut.contains("did not answer within 3 s") && !timedOut.contains("HTTPClientError"))
    }
}
