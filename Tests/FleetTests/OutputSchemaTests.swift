import CoderAPI
import Foundation
import Testing

@testable import Fleet

/// Each tool result declares its JSON schema beside its fields (`FleetOutput.schema`). For a fully populated value of
/// every output type, the keys it encodes must be exactly its schema's property keys, at every level of nesting.
///
/// The values are built from the schemas themselves (every property given a sample value, then decoded), and a
/// value only counts as fully populated when no optional member anywhere in it is nil: a member the schema does not
/// name stays nil and fails the test, as does a schema key the value does not encode.
@Suite struct OutputSchemaTests {
    @Test func everyOutputEncodesExactlyItsSchemasKeys() throws {
        let summary = try Self.sample(AgentSummary.self, AgentSummary.schema)
        let history = try Self.sample(HistoryEntry.self, HistoryEntry.schema)
        let pullRequest = try Self.sample(PullRequest.self, PullRequest.schema)
        let logs = Page(agentName: "agent", all: [try Self.sample(LogEntry.self, LogEntry.schema)], page: 1, pageSize: 1)
        let outputs: [(any FleetOutput, JSONSchema)] = [
            (try Self.sample(ActionResult.self, ActionResult.schema), ActionResult.schema),
            (try Self.sample(WaitResult.self, WaitResult.schema), WaitResult.schema),
            (AgentList(agents: [summary], totalCount: 1, nextCursor: "next", counts: ["idle": 1]), AgentList.schema),
            (
                AgentDetail(
                    agent: summary, taskPrompt: "prompt", build: try Self.sample(BuildInfoSummary.self, BuildInfoSummary.schema),
                    workspaceAgent: try Self.sample(WorkspaceAgentSummary.self, WorkspaceAgentSummary.schema),
                    apps: [try Self.sample(AppSummary.self, AppSummary.schema)], pullRequest: pullRequest, latestReport: history,
                    templateVersionID: "version", outdated: true, tasksAPI: "stable"),
                AgentDetail.schema
            ),
            (AgentCard(agent: summary, latestReport: history, pullRequest: pullRequest), AgentCard.schema),
            (
                FleetWaitResult(
                    events: [try Self.sample(FleetEvent.self, FleetEvent.schema)], cursor: "cursor", timedOut: false, waitedSeconds: 1,
                    agentsWatched: 1, polls: 1),
                FleetWaitResult.schema
            ),
            (Page(agentName: "agent", all: [history], page: 1, pageSize: 1), Page<HistoryEntry>.schema),
            (AgentLog(page: logs, source: "tasks_api", snapshot: true, snapshotAt: Date(), note: "note"), AgentLog.schema),
            (ProjectList(projects: [try Self.sample(Project.self, Project.schema)], totalCount: 1), ProjectList.schema),
            (
                RoleList(project: "project", roles: [try Self.sample(Role.self, Role.schema)], defaultRole: "coder", totalCount: 1),
                RoleList.schema
            ),
        ]
        for (output, schema) in outputs {
            let name = String(describing: type(of: output))
            #expect(Self.unpopulated(output, "\(name)").isEmpty, "\(name): not populated: \(Self.unpopulated(output, name))")
            let encoded = try JSONSerialization.jsonObject(with: FleetJSON.encoder().encode(output))
            let mismatches = Self.mismatches(encoded, try Self.object(schema), name)
            #expect(mismatches.isEmpty, "\(mismatches)")
        }
    }

    /// A schema as Foundation objects.
    static func object(_ schema: JSONSchema) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: JSONEncoder().encode(schema.json)) as? [String: Any] ?? [:]
    }

    /// Where `value` and `schema` disagree on keys, recursively (objects, arrays, maps).
    static func mismatches(_ value: Any, _ schema: [String: Any], _ path: String) -> [String] {
        if let properties = schema["properties"] as? [String: [String: Any]] {
            guard let object = value as? [String: Any] else { return ["\(path): not an object"] }
            var found: [String] = []
            let extra = Set(object.keys).subtracting(properties.keys), missing = Set(properties.keys).subtracting(object.keys)
            if !extra.isEmpty { found.append("\(path): encodes keys the schema lacks: \(extra.sorted())") }
            if !missing.isEmpty { found.append("\(path): schema keys not encoded: \(missing.sorted())") }
            for (key, property) in properties.sorted(by: { $0.key < $1.key }) {
                if let member = object[key] { found += mismatches(member, property, "\(path).\(key)") }
            }
            return found
        }
        if let items = schema["items"] as? [String: Any], let array = value as? [Any] {
            return array.enumerated().flatMap { mismatches($0.element, items, "\(path)[\($0.offset)]") }
        }
        if let values = schema["additionalProperties"] as? [String: Any], let map = value as? [String: Any] {
            return map.flatMap { mismatches($0.value, values, "\(path).\($0.key)") }
        }
        return []
    }

    /// Paths of optional members that are nil, anywhere in `value`.
    static func unpopulated(_ value: Any, _ path: String) -> [String] {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else { return [path] }
            return unpopulated(wrapped, path)
        }
        guard mirror.displayStyle == .struct || mirror.displayStyle == .collection || mirror.displayStyle == .dictionary else { return [] }
        if value is Date { return [] }
        return mirror.children.enumerated().flatMap { unpopulated($0.element.value, "\(path).\($0.element.label ?? "\($0.offset)")") }
    }

    /// A value decoded from a sample of `schema` in which every property is present.
    static func sample<T: Decodable>(_ type: T.Type, _ schema: JSONSchema) throws -> T {
        let data = try JSONSerialization.data(withJSONObject: sampleJSON(try object(schema)))
        return try CoderJSON.decoder().decode(T.self, from: data)
    }

    /// Each object key appears as written and as the Swift member it would come from (`workspace_id`: `workspaceID`,
    /// `workspaceId`), so the sample decodes whatever the type's coding keys are; the unused spellings are ignored.
    static func sampleJSON(_ schema: [String: Any]) -> Any {
        if let properties = schema["properties"] as? [String: [String: Any]] {
            var object: [String: Any] = [:]
            for (key, property) in properties {
                let value = sampleJSON(property)
                let parts = key.split(separator: "_").map(String.init)
                let plain = ([parts[0]] + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }).joined()
                let acronyms = ["id": "ID", "url": "URL", "api": "API", "uri": "URI"]
                let swift = ([parts[0]] + parts.dropFirst().map { acronyms[$0] ?? ($0.prefix(1).uppercased() + $0.dropFirst()) }).joined()
                for spelling in [key, plain, swift] { object[spelling] = value }
            }
            return object
        }
        let type = (schema["type"] as? String) ?? (schema["type"] as? [String])?.first { $0 != "null" } ?? "string"
        switch type {
        case "array": return [sampleJSON(schema["items"] as? [String: Any] ?? [:])]
        case "object": return ["key": sampleJSON(schema["additionalProperties"] as? [String: Any] ?? [:])]
        case "integer": return 1
        case "number": return 1.5
        case "boolean": return true
        default:
            if let choices = schema["enum"] as? [String], let first = choices.first { return first }
            return schema["format"] as? String == "date-time" ? "2025-11-10T10:38:10Z" : "text"
        }
    }
}
