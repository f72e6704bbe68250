import CoderAPI

/// Finds the Claude Code / AgentAPI app of a workspace and its reports.
public enum AgentApps {
    /// Slugs the Coder registry modules give the AgentAPI app (claude-code module: `ccw`).
    public static let knownSlugs = ["ccw", "claude-code", "claude", "agentapi", "ai-agent"]

    /// The app Coder's task sidebar shows (2.27: `ai_task_sidebar_app_id`), else the first app with a known slug,
    /// else one that answers on AgentAPI's port 3284, else the app that carries status reports.
    public static func sidebarApp(in workspace: WorkspaceView) -> AppView? {
        let apps = workspace.latestBuild.resources.flatMap { $0.agents ?? [] }.flatMap(\.apps)
        if let id = workspace.latestBuild.aiTaskSidebarAppID, let app = apps.first(where: { $0.id == id }) { return app }
        for slug in knownSlugs { if let app = apps.first(where: { $0.slug == slug }) { return app } }
        if let app = apps.first(where: { ($0.url ?? "").contains(":3284") }) { return app }
        if let reportingApp = workspace.latestAppStatus?.appID, let app = apps.first(where: { $0.id == reportingApp }) { return app }
        return apps.first { !$0.statuses.isEmpty }
    }

    /// The agent that runs the app (or the first agent).
    public static func agent(of app: AppView?, in workspace: WorkspaceView) -> AgentView? {
        let agents = workspace.latestBuild.resources.flatMap { $0.agents ?? [] }
        if let app, let owner = agents.first(where: { $0.apps.contains { $0.id == app.id } }) { return owner }
        return agents.first
    }

    /// Every report of every app of the current build, newest first, without duplicates.
    public static func reports(in workspace: WorkspaceView) -> [WorkspaceAppStatus] {
        var seen = Set<String>()
        var all: [WorkspaceAppStatus] = []
        for agent in workspace.latestBuild.resources.flatMap({ $0.agents ?? [] }) {
            for app in agent.apps { for status in app.statuses where seen.insert(status.id).inserted { all.append(status) } }
        }
        if let latest = workspace.latestAppStatus, seen.insert(latest.id).inserted { all.append(latest) }
        return all.sorted { $0.createdAt == $1.createdAt ? $0.id > $1.id : $0.createdAt > $1.createdAt }
    }
}
