import CoderAPI
import Foundation
import Hummingbird

/// Workspace builds: start, stop and delete transitions, and the builds' views.
struct BuildRoutes {
    let store: SandboxStore
    let simulator: Simulator

    func collection() -> RouteCollection<SandboxContext> {
        let routes = RouteCollection(context: SandboxContext.self)
        routes.add(middleware: AuthMiddleware(store: store))
        routes.post("api/v2/workspaces/{workspace}/builds") { request, context in
            var request = request
            let body = try await request.decode(CreateWorkspaceBuildRequest.self)
            let caller = try context.requireCaller()
            let workspaceID = try await store.workspace(id: context.parameter("workspace"), includeDeleted: true, caller: caller).id
            let reason = try buildReason(body.reason)
            let (workspace, build) = try await store.createBuild(workspaceID: workspaceID, request: body, initiator: caller, reason: reason)
            simulator.run(build: build.id, of: workspace.id)
            return try Reply.json(await store.render(build: build, of: workspace), status: 201)
        }
        routes.get("api/v2/workspaces/{workspace}/builds") { _, context in
            let workspace = try await store.workspace(id: context.parameter("workspace"), includeDeleted: true, caller: context.requireCaller())
            var builds: [WorkspaceBuild] = []
            for build in workspace.builds.reversed() { builds.append(await store.render(build: build, of: workspace)) }
            return try Reply.json(builds)
        }
        routes.get("api/v2/workspacebuilds/{build}") { _, context in
            let (workspace, build) = try await store.build(id: context.parameter("build"), caller: context.requireCaller())
            return try Reply.json(await store.render(build: build, of: workspace))
        }
        routes.get("api/v2/workspacebuilds/{build}/parameters") { _, context in
            let (workspace, _) = try await store.build(id: context.parameter("build"), caller: context.requireCaller())
            return try Reply.json(workspace.parameters)
        }
        routes.get("api/v2/workspacebuilds/{build}/resources") { _, context in
            let (workspace, build) = try await store.build(id: context.parameter("build"), caller: context.requireCaller())
            return try Reply.json(await store.render(build: build, of: workspace).resources)
        }
        return routes
    }

    /// `CreateWorkspaceBuildRequest.reason`, checked as coderd's request validation does (`validate:"omitempty,oneof=…"`,
    /// a 400 "Validation failed." naming the field by its JSON name: v2.31.0 coderd/httpapi/httpapi.go:35–41, 248–261).
    /// Before v2.31.1 the reasons are `dashboard cli ssh_connection vscode_connection jetbrains_connection`
    /// (v2.31.0 codersdk/workspaces.go:132); v2.31.1 adds `task_manual_pause` (v2.31.1 codersdk/workspaces.go:134).
    func buildReason(_ given: String?) throws -> BuildReason {
        guard let given, !given.isEmpty else { return .initiator }
        var accepted = ["dashboard", "cli", "ssh_connection", "vscode_connection", "jetbrains_connection"]
        if store.version.capabilities.taskBuildReasons { accepted.append("task_manual_pause") }
        guard accepted.contains(given) else {
            throw SandboxError(
                400, "Validation failed.",
                validations: [ValidationError(field: "reason", detail: "Validation failed for tag \"oneof\" with value: \"\(given)\"")])
        }
        return BuildReason(rawValue: given)
    }
}
