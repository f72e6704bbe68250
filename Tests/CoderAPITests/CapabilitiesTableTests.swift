import CoderAPI
import Foundation
import Testing

/// The README's "Coder versions" table is rendered from `CoderCapabilities.table`: one written fact, two views.
/// `UPDATE_SNAPSHOTS=1 swift test --filter CapabilitiesTableTests` rewrites the README between its markers.
@Suite struct CapabilitiesTableTests {
    static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("README.md")
    static let begin = "<!-- coder-capabilities:begin (rendered from CoderCapabilities.table) -->\n"
    static let end = "\n<!-- coder-capabilities:end -->"

    @Test func readmeTableIsTheCapabilityTable() throws {
        var text = try String(contentsOf: Self.readme, encoding: .utf8)
        let start = try #require(text.range(of: Self.begin), "README.md lacks the coder-capabilities markers")
        let stop = try #require(text.range(of: Self.end, range: start.upperBound..<text.endIndex))
        let table = String(text[start.upperBound..<stop.lowerBound])
        if ProcessInfo.processInfo.environment["UPDATE_SNAPSHOTS"] == "1", table != CoderCapabilities.markdownTable {
            text.replaceSubrange(start.upperBound..<stop.lowerBound, with: CoderCapabilities.markdownTable)
            try text.write(to: Self.readme, atomically: true, encoding: .utf8)
            return
        }
        #expect(
            table == CoderCapabilities.markdownTable,
            "README's version table differs; run UPDATE_SNAPSHOTS=1 swift test --filter CapabilitiesTableTests")
    }

    @Test func everyRowRendersOneLine() {
        let lines = CoderCapabilities.markdownTable.split(separator: "\n")
        #expect(lines.count == CoderCapabilities.table.count + 2)
        for (line, row) in zip(lines.dropFirst(2), CoderCapabilities.table) { #expect(line.hasPrefix("| \(row.label) |")) }
    }
}
