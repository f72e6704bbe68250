import Foundation

/// Writes the demo's coloured transcript to stdout (plain when stdout is not a terminal or NO_COLOR is set).
final class Transcript: @unchecked Sendable {
    let color: Bool
    private let lock = NSLock()
    private var liveLines = 0

    init(color: Bool) { self.color = color }

    enum Style: String {
        case bold = "1", dim = "2", red = "31", green = "32", yellow = "33", blue = "34", magenta = "35", cyan = "36", gray = "90"
    }

    func paint(_ text: String, _ styles: Style...) -> String {
        guard color, !styles.isEmpty else { return text }
        return "\u{1b}[" + styles.map(\.rawValue).joined(separator: ";") + "m" + text + "\u{1b}[0m"
    }

    func write(_ text: String) {
        lock.withLock {
            liveLines = 0
            FileHandle.standardOutput.write(Data((text + "\n").utf8))
        }
    }

    func section(_ title: String) { write("\n" + paint("▌ " + title, .bold, .cyan)) }
    func call(_ tool: String, _ arguments: String) { write(paint("  → ", .gray) + paint(tool, .bold) + paint("(" + arguments + ")", .gray)) }
    func note(_ text: String) { write("    " + text) }

    /// Replaces the previous live block (the status table) in place on a terminal.
    func live(_ lines: [String]) {
        lock.withLock {
            var out = ""
            if color, liveLines > 0 { out += "\u{1b}[\(liveLines)A" }
            for line in lines { out += (color ? "\u{1b}[2K" : "") + line + "\n" }
            FileHandle.standardOutput.write(Data(out.utf8))
            liveLines = color ? lines.count : 0
        }
    }

    func statusColor(_ status: String) -> String {
        let key = status.trimmingCharacters(in: .whitespaces)
        switch key {
        case "busy": return paint(status, .yellow, .bold)
        case "idle", "complete": return paint(status, .green, .bold)
        case "needs_input": return paint(status, .magenta, .bold)
        case "failed": return paint(status, .red, .bold)
        case "pending", "starting": return paint(status, .blue)
        default: return paint(status, .gray)
        }
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? String(text.prefix(width - 1)) + "…" : text + String(repeating: " ", count: width - text.count)
    }
}
