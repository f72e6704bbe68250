import CoderAPI
import CoderSandbox
import Fleet
import FleetMCP
import Foundation
import MCP
import Synchronization
import Testing

/// The fleet as MCP resources: list, template, read, and updates pushed to subscribers only.
@Suite struct FleetResourceTests {
    @Test func readListAndSubscribe() async throws {
        try await SandboxFleet.with(version: .v2_35) { env, mcp in
            let updates = Mutex<[String]>([])
            await mcp.client.onNotification(ResourceUpdatedNotification.self) { message in
                updates.withLock { $0.append(message.params.uri) }
            }
            // Subscribing to an agent that does not exist yet is fine: it is a name, and it appears.
            try await mcp.client.subscribeToResource(uri: "fleet://agents/res")
            _ = try await mcp.ok("create_agent", ["name": "res", "project": "webshop", "task": "Fix the cart badge"])
            _ = try await mcp.ok("create_agent", ["name": "quiet", "project": "webshop", "task": "[slow] Refactor pricing"])
            let listed = try await mcp.client.listResources()
            #expect(listed.resources.map(\.uri).sorted() == ["fleet://agents", "fleet://agents/quiet", "fleet://agents/res"])
            let templates = try await mcp.client.listResourceTemplates()
            #expect(templates.templates.map(\.uriTemplate) == ["fleet://agents/{name}"])

            _ = try await mcp.ok("wait_for_agent", ["agent_name": "res", "until": "complete", "timeout_seconds": 30])
            try await Task.sleep(for: .milliseconds(300))
            let received = updates.withLock { $0 }
            #expect(received.contains("fleet://agents/res"), "updates for the subscribed agent: \(received)")
            #expect(!received.contains("fleet://agents/quiet"), "none for an agent nobody subscribed to")

            let card = try await mcp.client.readResource(uri: "fleet://agents/res")
            let text = try #require(card.first?.text)
            let object = try JSONDecoder().decode(Value.self, from: Data(text.utf8))
            #expect(object["agent"]?["status"]?.stringValue == "complete")
            #expect(object["pull_request"]?["forge"]?.stringValue == "github")

            let table = try await mcp.client.readResource(uri: "fleet://agents")
            #expect(try #require(table.first?.text).contains("\"total_count\":2"))
            await #expect(throws: (any Error).self) { _ = try await mcp.client.readResource(uri: "fleet://agents/nobody") }
            await #expect(throws: (any Error).self) { _ = try await mcp.client.readResource(uri: "file:///etc/passwd") }
        }
    }
}
