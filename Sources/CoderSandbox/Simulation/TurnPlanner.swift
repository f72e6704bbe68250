import Foundation

/// What a simulated Claude Code does with one prompt. Deterministic for a given seed and prompt.
///
/// Markers steer it for tests and demos: `[needs-input]` makes it ask a question (`failure`), `[fail]` makes it
/// crash (the app turns unhealthy), `[slow]` makes every step about 23 times longer (30 simulated seconds: long enough to catch it busy on a loaded machine), `[build-fail]` (at creation)
/// makes the workspace build fail. Prompts that ask for a change end `complete` with a pull-request link.
struct TurnPlan: Sendable, Equatable {
    enum Outcome: Sendable, Equatable {
        case complete(summary: String, pullRequest: Bool)
        case idle(summary: String)
        case needsInput(question: String)
        case crash
    }

    var steps: [String]
    var outcome: Outcome
    var slow: Bool
}

enum TurnPlanner {
    static let changeWords = [
        "fix", "implement", "add", "refactor", "update", "change", "write", "create", "build", "remove", "rename", "migrate",
        "upgrade", "bump",
    ]

    static func plan(prompt: String, seed: UInt64) -> TurnPlan {
        let lower = prompt.lowercased()
        let subject = summary(of: prompt)
        let slow = lower.contains("[slow]")
        var generator = IDGenerator(seed: seed ^ stableHash(prompt))
        let openers = ["Reading the codebase", "Exploring the repository layout", "Reading the relevant modules"]
        var steps = [openers[Int(generator.next() % UInt64(openers.count))] + " for: " + subject]
        if lower.contains("[needs-input]") || lower.contains("[ask]") {
            steps.append("Reviewing requirements for: \(subject)")
            let question = clip("Need input on \"\(subject)\": which approach do you prefer, and is there a deadline?")
            return TurnPlan(steps: clip(steps), outcome: .needsInput(question: question), slow: slow)
        }
        if lower.contains("[fail]") {
            steps.append("Running the test suite")
            return TurnPlan(steps: clip(steps), outcome: .crash, slow: slow)
        }
        let words = Set(lower.split { !$0.isLetter }.map(String.init))
        let isChange = !words.isDisjoint(with: changeWords)
        if isChange {
            steps.append("Planning the change: \(subject)")
            steps.append("Implementing: \(subject)")
            steps.append(["Running unit tests", "Running the test suite", "Running lint and tests"][Int(generator.next() % 3)])
            steps.append("Opening a pull request")
            let summary = clip("Done: \(subject). Tests pass; pull request opened.")
            return TurnPlan(steps: clip(steps), outcome: .complete(summary: summary, pullRequest: true), slow: slow)
        }
        steps.append("Investigating: \(subject)")
        steps.append("Writing up findings")
        let summary = clip("Finished: \(subject). Findings are in the conversation log.")
        return TurnPlan(steps: clip(steps), outcome: .complete(summary: summary, pullRequest: false), slow: slow)
    }

    /// The first sentence of the prompt, without markers, at most 80 characters.
    static func summary(of prompt: String) -> String {
        var text = prompt
        for marker in ["[needs-input]", "[ask]", "[fail]", "[slow]", "[build-fail]"] {
            text = text.replacingOccurrences(of: marker, with: "", options: .caseInsensitive)
        }
        text = text.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
        if let end = text.firstIndex(where: { ".!?".contains($0) }) { text = String(text[..<end]) }
        if text.count > 80 { text = String(text.prefix(77)) + "..." }
        return text.isEmpty ? "the task" : text
    }

    static func clip(_ text: String) -> String { text.count > 160 ? String(text.prefix(157)) + "..." : text }
    static func clip(_ texts: [String]) -> [String] { texts.map { clip($0) } }

    /// FNV-1a, stable across runs (Swift's `hashValue` is seeded per process).
    static func stableHash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}
