import CoderAPI
import Fleet
import FleetMCP
import Foundation
import MCP
import Testing

/// The public surface (tool names, schemas, annotations) is checked in, once: the Python suites read the same
/// snapshot and the README's tool table is checked against it. A change must update it on purpose:
/// `UPDATE_SNAPSHOTS=1 swift test --filter ToolSnapshotTests`.
@Suite struct ToolSnapshotTests {
    static let definitions = FleetTools.all.map(\.definition)

    @Test func toolListMatchesTheSnapshot() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let current = String(decoding: try encoder.encode(Self.definitions), as: UTF8.self) + "\n"
        let file = Paths.snapshots.appendingPathComponent("tools.json")
        if ProcessInfo.processInfo.environment["UPDATE_SNAPSHOTS"] == "1" {
            try current.write(to: file, atomically: true, encoding: .utf8)
        }
        let stored = try String(contentsOf: file, encoding: .utf8)
        #expect(stored == current, "the tool list changed; review it, then run UPDATE_SNAPSHOTS=1 swift test --filter ToolSnapshotTests")
    }

    /// The README's tool table names every tool of the snapshot, in order, and no other.
    @Test func readmeListsEveryTool() throws {
        let readme = try String(contentsOf: Paths.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "\n## Tools\n").dropFirst().first?.components(separatedBy: "\n## ").first)
        let listed = section.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `"), let end = line.dropFirst(3).firstIndex(where: { $0 == "(" || $0 == "`" }) else { return nil }
            return String(line[line.index(line.startIndex, offsetBy: 3)..<end])
        }
        #expect(listed == FleetTools.names, "README's ## Tools table must list exactly the tools, in the server's order")
    }

    @Test func everyToolIsDescribedCompletely() {
        let tools = Self.definitions
        #expect(Set(tools.map(\.name)).count == tools.count, "tool names are unique")
        for tool in tools {
            #expect(tool.title?.isEmpty == false, "\(tool.name) has a title")
            #expect(tool.description?.isEmpty == false)
            #expect(tool.outputSchema?.objectValue?["type"] == .string("object"), "\(tool.name) has an output schema")
            #expect(
                tool.annotations.readOnlyHint != nil && tool.annotations.destructiveHint != nil
                    && tool.annotations.idempotentHint != nil && tool.annotations.openWorldHint != nil, "\(tool.name) has all four hints")
            let properties = tool.inputSchema.objectValue?["properties"]?.objectValue ?? [:]
            for (name, schema) in properties {
                let type = schema.objectValue?["type"]?.stringValue
                #expect(["string", "integer", "number", "boolean"].contains(type ?? ""), "\(tool.name).\(name) is a flat scalar")
                #expect(schema.objectValue?["description"]?.stringValue?.isEmpty == false, "\(tool.name).\(name) has a description")
            }
        }
        // Parameter names the reference implementation (setup-fleet-mcp 0.12.1) uses keep working.
        let byName = Dictionary(
            uniqueKeysWithValues: tools.map { ($0.name, Set($0.inputSchema.objectValue?["properties"]?.objectValue?.keys.map { $0 } ?? [])) })
        #expect(byName["create_agent"]?.isSuperset(of: ["name", "project", "task", "role"]) == true)
        #expect(byName["list_agents"]?.isSuperset(of: ["status_filter", "project_filter"]) == true)
        #expect(byName["start_agent_task"] == ["agent_name", "task_description"])
        #expect(byName["show_agent_log"] == ["agent_name", "page", "page_size"])
        #expect(byName["show_agent_task_history"] == ["agent_name", "page", "page_size"])
    }
}
