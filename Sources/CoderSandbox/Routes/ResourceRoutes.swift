import CoderAPI
import Foundation
import Hummingbird

/// Build info, the agent's status reports, users, organizations, templates and workspaces.
struct ResourceRoutes {
    let store: SandboxStore
    let simulator: Simulator
    let version: SandboxVersion

    func collection() -> RouteCollection<SandboxContext> {
        let routes = RouteCollection(context: SandboxContext.self)
        // Without a user session.
        routes.get("api/v2/buildinfo") { _, _ in try buildInfo() }
        routes.patch("api/v2/workspaceagents/me/app-status") { request, _ in try await patchAppStatus(request) }

        routes.add(middleware: AuthMiddleware(store: store))
        // Users and organizations
        routes.get("api/v2/users/{user}") { _, context in
            try Reply.json(try await store.requireUser(context.parameter("user"), caller: context.requireCaller()))
        }
        routes.get("api/v2/organizations") { _, _ in try Reply.json([store.organization]) }
        routes.get("api/v2/users/{user}/organizations") { _, context in
            _ = try await store.requireUser(context.parameter("user"), caller: context.requireCaller())
            return try Reply.json([store.organization])
        }
        routes.get("api/v2/organizations/{organization}") { _, context in
            try requireOrganization(context.parameter("organization"))
            return try Reply.json(store.organization)
        }

        // Templates
        routes.get("api/v2/templates") { request, _ in
            try Reply.json(try await store.searchTemplates(request.query("q") ?? "").map(\.template))
        }
        routes.get("api/v2/organizations/{organization}/templates") { request, context in
            try requireOrganization(context.parameter("organization"))
            return try Reply.json(try await store.searchTemplates(request.query("q") ?? "").map(\.template))
        }
        routes.get("api/v2/templates/{template}") { _, context in
            let id = try context.parameter("template")
            guard isUUID(id) else { throw SandboxError.invalidUUID(id) }
            guard let record = await store.template(id: id) else { throw SandboxError.notFound }
            return try Reply.json(record.template)
        }
        routes.get("api/v2/organizations/{organization}/templates/{name}") { _, context in
            guard let record = await store.template(named: try context.parameter("name")) else { throw SandboxError.notFound }
            return try Reply.json(record.template)
        }
        routes.get("api/v2/templateversions/{version}") { _, context in
            try Reply.json(try await templateVersion(context.parameter("version")).version)
        }
        routes.get("api/v2/templateversions/{version}/rich-parameters") { _, context in
            try Reply.json(try await templateVersion(context.parameter("version")).parameters)
        }
        routes.get("api/v2/templateversions/{version}/presets") { _, context in
            try Reply.json(try await templateVersion(context.parameter("version")).presets)
        }

        // Workspaces
        routes.get("api/v2/workspaces") { request, context in try await listWorkspaces(request, caller: context.requireCaller()) }
        routes.get("api/v2/workspaces/{workspace}") { request, context in
            let workspace = try await store.workspace(
                id: context.parameter("workspace"), includeDeleted: request.query("include_deleted") == "true",
                caller: context.requireCaller())
            return Reply.raw(status: 200, contentType: Reply.jsonType, body: try await store.json(workspace))
        }
        routes.get("api/v2/users/{user}/workspace/{name}") { _, context in
            let caller = try context.requireCaller()
            let owner = try await store.requireUser(context.parameter("user"), caller: caller)
            guard let workspace = await store.workspace(owner: owner, name: try context.parameter("name")),
                await store.canAccess(ownerID: workspace.ownerID, caller: caller)
            else { throw SandboxError.notFound }
            return try Reply.json(await store.render(workspace))
        }
        routes.post("api/v2/users/{user}/workspaces") { request, context in
            let caller = try context.requireCaller()
            return try await createWorkspace(request, owner: try await store.requireUser(context.parameter("user"), caller: caller), caller: caller)
        }
        routes.post("api/v2/organizations/{organization}/members/{user}/workspaces") { request, context in
            try requireOrganization(context.parameter("organization"))
            let caller = try context.requireCaller()
            return try await createWorkspace(request, owner: try await store.requireUser(context.parameter("user"), caller: caller), caller: caller)
        }
        return routes
    }

    func buildInfo() throws -> Response {
        try Reply.json(
            BuildInfo(
                externalURL: "https://github.com/coder/coder/commit/sandbox", version: version.buildVersion,
                dashboardURL: "", telemetry: false, workspaceProxy: false, agentAPIVersion: "2.6",
                provisionerAPIVersion: "1.9", upgradeMessage: "", deploymentID: "fleet-mcp-sandbox"))
    }

    /// `PATCH /api/v2/workspaceagents/me/app-status`, authenticated with the workspace agent's token.
    func patchAppStatus(_ request: Request) async throws -> Response {
        var request = request
        guard let token = request.sessionToken else { throw SandboxError.signedOut("Workspace agent token must be provided.") }
        let patch = try await request.decode(PatchAppStatus.self)
        try await store.patchAppStatus(agentToken: token, patch)
        return Reply.null()
    }

    func requireOrganization(_ idOrName: String) throws {
        guard idOrName == store.organization.id || idOrName.lowercased() == store.organization.name else { throw SandboxError.notFound }
    }

    func templateVersion(_ id: String) async throws -> TemplateRecord {
        guard isUUID(id) else { throw SandboxError.invalidUUID(id) }
        guard let record = await store.templateForVersion(id) else { throw SandboxError.notFound }
        return record
    }

    /// `GET /api/v2/workspaces`: `{"workspaces":[…],"count":n}` from each workspace's cached JSON.
    func listWorkspaces(_ request: Request, caller: User) async throws -> Response {
        let list = try await store.searchWorkspaces(request.query("q") ?? "", caller: caller)
        let offset = try pagination(request, "offset") ?? 0
        let limit = try pagination(request, "limit") ?? 0
        let page = Array(list.dropFirst(offset).prefix(limit == 0 ? Int.max : limit))
        var body = Data("{\"workspaces\":[".utf8)
        for (index, workspace) in page.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(try await store.json(workspace))
        }
        body.append(contentsOf: Data("],\"count\":\(list.count)}".utf8))
        return Reply.raw(status: 200, contentType: Reply.jsonType, body: body)
    }

    func pagination(_ request: Request, _ key: String) throws -> Int? {
        guard let text = request.query(key) else { return nil }
        guard let value = Int32(text), value >= 0 else {
            throw SandboxError(
                400, "Query parameters have invalid values.",
                validations: [
                    ValidationError(field: key, detail: "Query param \"\(key)\" must be a valid 32-bit integer (\(text))")
                ])
        }
        return Int(value)
    }

    func createWorkspace(_ request: Request, owner: User, caller: User) async throws -> Response {
        var request = request
        try await store.requireActing(for: owner, caller: caller)
        let body = try await request.decode(CreateWorkspaceRequest.self)
        let workspace = try await store.createWorkspace(owner: owner, request: body, initiator: caller)
        simulator.run(build: workspace.latestBuild.id, of: workspace.id)
        return try Reply.json(await store.render(workspace), status: 201)
    }
}
