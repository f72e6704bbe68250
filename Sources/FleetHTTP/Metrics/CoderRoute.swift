/// Coder request paths reduced to route templates for metric labels: `/api/v2/workspaces/3f2a…` becomes
/// `/api/v2/workspaces/{workspace}`. A path no template matches is `other`, so no id, user or workspace name can
/// ever become a label.
enum CoderRoute {
    /// Templates as Coder's API documents them; `{…}` matches one segment.
    static let templates: [[String]] =
        [
            "/api/v2/buildinfo",
            "/api/v2/users/{user}",
            "/api/v2/users/{user}/organizations",
            "/api/v2/users/{user}/workspace/{workspacename}",
            "/api/v2/users/{user}/workspaces",
            "/api/v2/organizations",
            "/api/v2/organizations/{organization}",
            "/api/v2/organizations/{organization}/templates",
            "/api/v2/organizations/{organization}/templates/{templatename}",
            "/api/v2/organizations/{organization}/members/{user}/workspaces",
            "/api/v2/templates",
            "/api/v2/templates/{template}",
            "/api/v2/templateversions/{templateversion}",
            "/api/v2/templateversions/{templateversion}/rich-parameters",
            "/api/v2/templateversions/{templateversion}/presets",
            "/api/v2/workspaces",
            "/api/v2/workspaces/{workspace}",
            "/api/v2/workspaces/{workspace}/builds",
            "/api/v2/workspacebuilds/{workspacebuild}",
            "/api/v2/workspacebuilds/{workspacebuild}/parameters",
            "/api/v2/workspacebuilds/{workspacebuild}/resources",
            "/api/v2/workspaceagents/me/app-status",
        ].map(segments)
        + ["v2", "experimental"].flatMap { generation in
            [
                "", "/{user}", "/{user}/{task}", "/{user}/{task}/send", "/{user}/{task}/logs", "/{user}/{task}/pause", "/{user}/{task}/resume",
                "/{user}/{task}/input",
            ].map { segments("/api/\(generation)/tasks" + $0) }
        }

    /// AgentAPI paths behind the app proxy (`/@{owner}/{workspace}/apps/{slug}/…`).
    static let appPaths: Set<String> = ["status", "messages", "message", "events"]

    static func segments(_ path: String) -> [String] { path.split(separator: "/").map(String.init) }

    /// The template of `path` (no query string), or `other`.
    static func template(of path: String) -> String {
        let parts = segments(path)
        if let first = parts.first, first.hasPrefix("@") || first.hasPrefix("%40") {
            guard parts.count >= 4, parts[2] == "apps" else { return "other" }
            let rest = parts.count == 4 ? "" : (parts.count == 5 && appPaths.contains(parts[4]) ? parts[4] : "{path}")
            return "/@{owner}/{workspace}/apps/{slug}/" + rest
        }
        for template in templates where template.count == parts.count {
            var matches = true
            for (pattern, part) in zip(template, parts) where !pattern.hasPrefix("{") && pattern != part {
                matches = false
                break
            }
            if matches { return "/" + template.joined(separator: "/") }
        }
        return "other"
    }
}
