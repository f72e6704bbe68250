import FleetMCP
import Foundation
import Testing

/// Every tool in `FleetTools.all` is called by some Swift test through the MCP harness (`MCPHarness.ok`, `.failure`
/// or `.call` with the tool's name as a literal). A static scan of Tests/, so the check does not depend on which
/// suites ran or in what order; commented-out lines do not count.
@Suite struct ToolCoverageTests {
    nonisolated(unsafe) static let callSite = /\.(?:ok|failure|call)\(\s*"([a-z_]+)"/

    /// Tool names called in Swift sources, comments stripped.
    static func calledTools(in sources: [String]) -> Set<String> {
        var names: Set<String> = []
        for source in sources {
            let code = source.split(separator: "\n", omittingEmptySubsequences: false)
                .map { line in line.range(of: "//").map { String(line[..<$0.lowerBound]) } ?? String(line) }
                .joined(separator: "\n")
            for match in code.matches(of: callSite) { names.insert(String(match.1)) }
        }
        return names
    }

    static func testSources() throws -> [String] {
        let tests = Paths.repositoryRoot.appendingPathComponent("Tests")
        let files = FileManager.default.enumerator(at: tests, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        return try files.filter { $0.pathExtension == "swift" && $0.lastPathComponent != "ToolCoverageTests.swift" }
            .map { try String(contentsOf: $0, encoding: .utf8) }
    }

    @Test func everyToolIsCalledByATest() throws {
        let sources = try Self.testSources()
        #expect(sources.count > 10)
        let uncalled = Set(FleetTools.names).subtracting(Self.calledTools(in: sources))
        #expect(uncalled.isEmpty, "tools no Swift test calls: \(uncalled.sorted())")
    }

    /// The scan itself: a call counts, a comment or a bare name does not.
    @Test func scanFindsOnlyCalls() {
        let source = """
            _ = try await harness.ok("list_agents", ["limit": 1])
            // _ = try await harness.ok("show_agent")
            let name = "pause_agent"
            _ = try await h.failure(
                "create_agent", [:])
            """
        #expect(Self.calledTools(in: [source]) == ["list_agents", "create_agent"])
    }
}
