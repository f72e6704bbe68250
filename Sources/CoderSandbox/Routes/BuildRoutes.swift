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
            let (workspace, build) = try await store.createBuild(workspaceID: workspaceID, request: body, initiator: caller)
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
}
