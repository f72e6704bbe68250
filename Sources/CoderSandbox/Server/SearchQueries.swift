import CoderAPI

/// Coder's search-query syntax (`coderd/searchquery/search.go`): lower-cased, split on spaces outside quotes,
/// `key:value` elements, free text to a default key, unknown keys rejected.
struct SearchQuery {
    var values: [String: [String]] = [:]

    static func parse(_ raw: String, allowed: Set<String>, defaultKey: String, invalidMessage: String) throws -> SearchQuery {
        var query = SearchQuery()
        var elements: [String] = []
        var current = ""
        var quoted = false
        for character in raw.lowercased() {
            if character == "\"" {
                quoted.toggle()
                continue
            }
            if character == " " && !quoted {
                if !current.isEmpty { elements.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { elements.append(current) }
        var freeText: [String] = []
        var validations: [ValidationError] = []
        for element in elements {
            let parts = element.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            if parts.count == 1 {
                freeText.append(element)
                continue
            }
            if parts[1].contains(":") {
                validations.append(ValidationError(field: "q", detail: "Query element \"\(element)\" can only contain 1 ':'"))
                continue
            }
            if parts[0].isEmpty || parts[1].isEmpty {
                validations.append(ValidationError(field: "q", detail: "Query element \"\(element)\" is malformed"))
                continue
            }
            guard allowed.contains(parts[0]) else {
                validations.append(ValidationError(field: parts[0], detail: "Query param \"\(parts[0])\" is not a valid query param"))
                continue
            }
            query.values[parts[0], default: []].append(parts[1])
        }
        if !freeText.isEmpty { query.values[defaultKey, default: []].append(freeText.joined(separator: " ")) }
        if !validations.isEmpty { throw SandboxError(400, invalidMessage, validations: validations) }
        return query
    }

    func first(_ key: String) -> String? { values[key]?.first }
    func all(_ key: String) -> [String] { values[key] ?? [] }

    func bool(_ key: String) throws -> Bool? {
        guard let value = first(key) else { return nil }
        switch value {
        case "true": return true
        case "false": return false
        default:
            throw SandboxError(
                400, "Invalid workspace search query.",
                validations: [ValidationError(field: key, detail: "Query param \"\(key)\" must be a valid boolean")])
        }
    }
}

extension SandboxStore {
    static let workspaceKeys: Set<String> = [
        "owner", "template", "template_ids", "name", "id", "status", "has-agent", "dormant", "outdated",
        "last_used_after", "last_used_before", "has-ai-task", "has_external_agent", "organization", "param",
        "shared", "shared_with_user", "shared_with_group", "deleting_by",
    ]

    /// `GET /api/v2/workspaces?q=`.
    func searchWorkspaces(_ raw: String, caller: User) throws -> [WorkspaceRecord] {
        let query = try SearchQuery.parse(raw, allowed: Self.workspaceKeys, defaultKey: "name", invalidMessage: "Invalid workspace search query.")
        var list = liveWorkspaces().filter { canAccess(ownerID: $0.ownerID, caller: caller) }
        for owner in query.all("owner") {
            let id = owner == "me" ? caller.id : users.first { $0.user.username.lowercased() == owner }?.user.id
            list = list.filter { $0.ownerID == id }
        }
        for name in query.all("name") { list = list.filter { $0.name.lowercased().contains(name) } }
        for template in query.all("template") { list = list.filter { $0.templateName.lowercased() == template } }
        for status in query.all("status") { list = list.filter { $0.latestBuild.workspaceStatus.rawValue == status } }
        for ids in query.all("id") {
            let set = Set(ids.split(separator: ",").map(String.init))
            list = list.filter { set.contains($0.id) }
        }
        if let outdated = try query.bool("outdated") {
            list = list.filter { (template(named: $0.templateName)?.template.activeVersionID != $0.latestBuild.templateVersionID) == outdated }
        }
        if let hasAITask = try query.bool("has-ai-task") {
            list = list.filter { (template(named: $0.templateName)?.aiTask ?? false) == hasAITask }
        }
        for parameter in query.all("param") {
            let parts = parameter.split(separator: "=", maxSplits: 1).map(String.init)
            list = list.filter { workspace in
                workspace.parameters.contains { $0.name.lowercased() == parts[0] && (parts.count == 1 || $0.value.lowercased() == parts[1]) }
            }
        }
        return list
    }

    static let templateKeys: Set<String> = [
        "deleted", "organization", "exact_name", "exact_display_name", "name", "display_name", "ids",
        "deprecated", "has-ai-task", "author_id", "author", "has_external_agent",
    ]

    /// `GET /api/v2/templates?q=`.
    func searchTemplates(_ raw: String) throws -> [TemplateRecord] {
        let query = try SearchQuery.parse(
            raw, allowed: Self.templateKeys, defaultKey: "display_name",
            invalidMessage: "Invalid template search query.")
        var list = templates
        for name in query.all("exact_name") { list = list.filter { $0.template.name.lowercased() == name } }
        for name in query.all("name") { list = list.filter { $0.template.name.lowercased().contains(name) } }
        for name in query.all("display_name") { list = list.filter { $0.template.displayName.lowercased().contains(name) } }
        for name in query.all("exact_display_name") { list = list.filter { $0.template.displayName.lowercased() == name } }
        if let value = query.first("has-ai-task") { list = list.filter { $0.aiTask == (value == "true") } }
        return list.sorted { $0.template.name < $1.template.name }
    }
}
