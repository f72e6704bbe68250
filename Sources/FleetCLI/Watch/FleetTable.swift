import CoderAPI
import Fleet
import FleetNotify
import Foundation
import Rainbow

/// The live fleet view: one row per agent with its status in colour, the age of its last event, its last
/// report and pull request. Colour comes from Rainbow; only redrawing in place is written here (Rainbow colours
/// text but does not move the cursor).
struct FleetTable {
    var color: Bool
    var width: Int

    func lines(_ agents: [AgentSummary], now: Date = Date(), title: String) -> [String] {
        var lines = [paint(title, { $0.bold })]
        lines.append(paint(Self.pad("AGENT", 14) + Self.pad("STATUS", 13) + Self.pad("AGE", 6) + "LAST REPORT", { $0.lightBlack }))
        for agent in agents {
            let report = agent.lastTask ?? agent.statusReason ?? ""
            let reportWidth = max(20, width - 33 - (agent.pullRequest.map { $0.count + 1 } ?? 0))
            var line =
                Self.pad(agent.name, 14) + statusText(agent.status) + Self.pad(Self.age(now.timeIntervalSince(agent.lastEventAt)), 6)
                + Self.pad(report, reportWidth)
            if let pr = agent.pullRequest { line += " " + paint(pr, { $0.blue }) }
            lines.append(line)
        }
        if agents.isEmpty { lines.append(paint("no agents", { $0.lightBlack })) }
        return lines
    }

    func statusText(_ status: Fleet.AgentStatus) -> String {
        let text = Self.pad(status.rawValue, 13)
        switch status {
        case .busy: return paint(text, { $0.cyan })
        case .needsInput: return paint(text, { $0.magenta.bold })
        case .complete: return paint(text, { $0.green })
        case .idle: return paint(text, { $0.white })
        case .failed: return paint(text, { $0.red.bold })
        case .paused, .stopped: return paint(text, { $0.yellow })
        default: return paint(text, { $0.lightBlack })
        }
    }

    /// Rainbow's own switch is global state; the table decides per call instead.
    func paint(_ text: String, _ style: (String) -> String) -> String { color ? style(text) : text }

    /// The line a plain (not a terminal) output gets for an event.
    func eventLine(_ event: FleetEvent) -> String {
        CoderDate.format(event.at) + "  " + event.agent + ": " + event.oldStatus.rawValue + " -> " + event.newStatus.rawValue
            + (EventText.detail(event).isEmpty ? "" : "  " + EventText.detail(event))
    }

    static func pad(_ text: String, _ width: Int) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        if flat.count >= width { return String(flat.prefix(max(0, width - 2))) + "… " }
        return flat + String(repeating: " ", count: width - flat.count)
    }

    static func age(_ seconds: TimeInterval) -> String {
        switch max(0, seconds) {
        case ..<60: "\(Int(seconds))s"
        case ..<3600: "\(Int(seconds / 60))m"
        case ..<86400: "\(Int(seconds / 3600))h"
        default: "\(Int(seconds / 86400))d"
        }
    }

    /// Clears the screen and homes the cursor (ANSI), for redrawing in place on a terminal.
    static let home = "\u{1B}[H\u{1B}[2J"
}
