import CoderAPI
import Fleet
import FleetMCP
import Foundation
import MCP
import Testing

/// The public surface (tool names, schemas, annotations) is checked in; any change must update the snapshot
/// on purpose: `UPDATE_SNAPSHOTS=1 swift test --filter ToolSnapshotTests`.
@Suite struct ToolSnapshotTests {
    static func definitions() -> [Tool] {
        let coder = CoderClient(baseURL: URL(string: "https://coder.example.com")!, token: nil, transport: ReplayTransport(Cassette()))
        return FleetMCPServer(fleet: FleetService(coder: coder), version: "snapshot").definitions
    }

    @Test func toolListMatchesTheSnapshot() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let current = String(decoding: try encoder.encode(Self.definitions()), as: UTF8.self) + "\n"
        let file = Paths.snapshots.appendingPathComponent("tools.json")
        if ProcessInfo.processInfo.environment["UPDATE_SNAPSHOTS"] == "1" {
            try current.write(to: file, atomically: true, encoding: .utf8)
        }
        let stored = try String(contentsOf: file, encoding: .utf8)
        #expect(stored == current, "the tool list changed; review it, then run UPDATE_SNAPSHOTS=1 swift test --filter ToolSnapshotTests")
    }

    @Test func everyToolIsDescribedCompletely() {
        let tools = Self.definitions()
        #expect(tools.map(\.name).sorted() == [
            "cancel_agent_task", "create_agent", "delete_agent", "list_agent_projects", "list_agent_roles", "list_agents",
            "restart_agent", "show_agent", "show_agent_log", "show_agent_task_history", "start_agent_task", "wait_for_agent",
        ])
        for tool in tools {
            #expect(tool.title?.isEmpty == false, "\(tool.name) has a title")
            #expect(tool.description?.isEmpty == false)
            #expect(tool.outputSchema?.objectValue?["type"] == .string("object"), "\(tool.name) has an output schema")
            #expect(tool.annotations.readOnlyHint != nil && tool.annotations.destructiveHint != nil
                    && tool.annotations.idempotentHint != nil && tool.annotations.openWorldHint != nil, "\(tool.name) has all four hints")
            let properties = tool.inputSchema.objectValue?["properties"]?.objectValue ?? [:]
            for (name, schema) in properties {
                let type = schema.objectValue?["type"]?.stringValue
                #expect(["string", "integer", "number", "boolean"].contains(type ?? ""), "\(tool.name).\(name) is a flat scalar")
                #expect(schema.objectValue?["description"]?.stringValue?.isEmpty == false, "\(tool.name).\(name) has a description")
            }
        }
        // Parameter names the reference implementation (setup-fleet-mcp 0.12.1) uses keep working.
        let byName = Dictionary(uniqueKeysWithValues: tools.map { ($0.name, Set($0.inputSchema.objectValue?["properties"]?.objectValue?.keys.map { $0 } ?? [])) })
        #expect(byName["create_agent"]?.isSuperset(of: ["name", "project", "task", "role"]) == true)
        #expect(byName["list_agents"]?.isSuperset(of: ["status_filter", "project_filter"]) == true)
        #expect(byName["start_agent_task"] == ["agent_name", "task_description"])
        #expect(byName["show_agent_log"] == ["agent_name", "page", "page_size"])
        #expect(byName["show_agent_task_history"] == ["agent_name", "page", "page_size"])
    }
}
