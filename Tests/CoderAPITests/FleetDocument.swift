import CoderAPI
import Foundation

/// Generated workspace lists as Coder could write them, for comparing decoders: fields from the given texts,
/// everything else (counts, nulls, enum values, extra members fleet-mcp never reads, whitespace, escapes) from a seed.
struct FleetDocument {
    let texts: [String]
    private var rng: SplitMix64
    private var next = 0

    init(texts: [String], seed: UInt64) {
        self.texts = texts.isEmpty ? [""] : texts
        rng = SplitMix64(seed: seed)
    }

    // MARK: - Values

    private mutating func text() -> String {
        defer { next += 1 }
        return texts[next % texts.count]
    }

    private mutating func chance(_ percent: UInt64) -> Bool { rng.next() % 100 < percent }
    private mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(rng.next() % UInt64(range.count)) }

    private mutating func date() -> Date {
        Date(timeIntervalSince1970: Double(int(0...4_000_000_000)) + Double(int(0...999_999)) / 1_000_000)
    }

    private mutating func open<E: OpenEnum>(_ type: E.Type) -> E {
        chance(10) ? E(rawValue: "new-" + text()) : E.knownCases[int(0...(E.knownCases.count - 1))]
    }

    private mutating func status() -> WorkspaceAppStatus {
        WorkspaceAppStatus(
            id: text(), createdAt: date(), workspaceID: text(), agentID: text(), appID: text(), state: open(AppStatusState.self),
            message: text(), uri: text(), icon: text(), needsUserAttention: chance(50))
    }

    private mutating func app() -> AppView {
        AppView(
            id: text(), url: chance(70) ? text() : nil, external: chance(20), slug: text(), displayName: text(), health: open(AppHealth.self),
            statuses: (0..<int(0...3)).map { _ in status() })
    }

    private mutating func agent() -> AgentView {
        AgentView(
            id: text(), name: text(), status: open(AgentStatus.self), lifecycleState: open(AgentLifecycle.self),
            readyAt: chance(60) ? date() : nil, health: AgentHealth(healthy: chance(80), reason: chance(30) ? text() : nil),
            version: text(), apps: (0..<int(0...2)).map { _ in app() })
    }

    mutating func workspace() -> WorkspaceView {
        let job = JobView(
            status: open(ProvisionerJobStatus.self), error: chance(20) ? text() : nil, startedAt: chance(70) ? date() : nil,
            completedAt: chance(50) ? date() : nil, queuePosition: int(0...5), queueSize: int(0...9))
        let build = BuildView(
            id: text(), createdAt: date(), updatedAt: date(), buildNumber: int(1...100_000), transition: open(WorkspaceTransition.self),
            status: open(WorkspaceStatus.self), reason: open(BuildReason.self), templateVersionID: text(),
            templateVersionPresetID: chance(50) ? text() : nil, job: job,
            resources: (0..<int(0...2)).map { _ in ResourceView(agents: chance(80) ? (0..<int(0...2)).map { _ in agent() } : nil) },
            aiTaskSidebarAppID: chance(50) ? text() : nil)
        return WorkspaceView(
            id: text(), createdAt: date(), updatedAt: date(), ownerID: text(), ownerName: text(), templateName: text(),
            templateDisplayName: text(), templateActiveVersionID: text(), latestBuild: build, latestAppStatus: chance(60) ? status() : nil,
            outdated: chance(30), name: text(), taskID: chance(30) ? text() : nil)
    }

    mutating func list(count: Int) -> WorkspaceViewsResponse {
        WorkspaceViewsResponse(workspaces: (0..<count).map { _ in workspace() }, count: count + int(0...3))
    }

    // MARK: - Rendering

    /// The value as JSON with members it does not read (arrays, objects, strings full of brackets), in any order,
    /// with random whitespace and escapes (keys included).
    mutating func render(_ value: some Encodable) -> String {
        let tree = try! JSONDecoder().decode(JSONValue.self, from: CoderJSON.encode(value))
        var out = space()
        write(tree, depth: 0, junk: true, into: &out)
        return out + space()
    }

    private mutating func space() -> String { [" ", "", "\n", "\t ", "\r\n", ""][int(0...5)] }

    private mutating func write(_ value: JSONValue, depth: Int, junk: Bool, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .number(let number):
            out += number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .string(let string): writeString(string, into: &out)
        case .array(let items):
            out += "[" + space()
            for (index, item) in items.enumerated() {
                if index > 0 { out += space() + "," + space() }
                write(item, depth: depth + 1, junk: junk, into: &out)
            }
            out += space() + "]"
        case .object(let members):
            var entries = members.map { ($0.key, $0.value, junk) }
            if junk {
                for index in 0..<int(0...3) { entries.append(("~extra\(index)-" + text(), noise(depth: 0), false)) }
            }
            entries.shuffle(using: &rng)
            out += "{" + space()
            for (index, entry) in entries.enumerated() {
                if index > 0 { out += space() + "," + space() }
                writeString(entry.0, into: &out)
                out += space() + ":" + space()
                write(entry.1, depth: depth + 1, junk: entry.2, into: &out)
            }
            out += space() + "}"
        }
    }

    /// A value fleet-mcp never reads.
    private mutating func noise(depth: Int) -> JSONValue {
        switch int(0...(depth < 3 ? 6 : 4)) {
        case 0: return .null
        case 1: return .bool(chance(50))
        case 2: return .number(chance(50) ? Double(int(-1000...1000)) : Double(int(-99999...99999)) / 64)
        case 3: return .string(text() + ["]", "}", "\"", "\\", "[{", ""][int(0...5)])
        case 4: return .string(text())
        case 5: return .array((0..<int(0...3)).map { _ in noise(depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<int(0...3) { members[text()] = noise(depth: depth + 1) }
            return .object(members)
        }
    }

    private mutating func writeString(_ string: String, into out: inout String) {
        out += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n" where chance(50): out += "\\n"
            case "\t" where chance(50): out += "\\t"
            case "/" where chance(50): out += "\\/"
            case _ where scalar.value < 0x20 || chance(12):
                for unit in String(scalar).utf16 { out += "\\u" + String(format: chance(50) ? "%04x" : "%04X", unit) }
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

/// A small, seedable random number generator (SplitMix64).
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
