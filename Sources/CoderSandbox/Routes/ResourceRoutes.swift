import CoderAPI
import Foundation
import Hummingbird

/// Users, organizations, templates, workspaces and builds.
extension SandboxResponder {
    func resources(_ r: SandboxRequest, user: User) async throws -> Response {
        // Users and organizations
        if let m = r.match(.get, "api/v2/users/*") {
            return try Reply.json(try await store.requireUser(m[0], caller: user))
        }
        if r.match(.get, "api/v2/organizations") != nil { return try Reply.json([store.organization]) }
        if let m = r.match(.get, "api/v2/users/*/organizations") {
            _ = try await store.requireUser(m[0], caller: user)
            return try Reply.json([store.organization])
        }
        if let m = r.match(.get, "api/v2/organizations/*") {
            guard m[0] == store.organization.id || m[0].lowercased() == store.organization.name else { throw SandboxError.notFound }
            return try Reply.json(store.organization)
        }

        // Templates
        if r.match(.get, "api/v2/templates") != nil {
            return try Reply.json(try await store.searchTemplates(r.query["q"] ?? "").map(\.template))
        }
        if let m = r.match(.get, "api/v2/organizations/*/templates") {
            guard m[0] == store.organization.id || m[0].lowercased() == store.organization.name else { throw SandboxError.notFound }
            return try Reply.json(try await store.searchTemplates(r.query["q"] ?? "").map(\.template))
        }
        if let m = r.match(.get, "api/v2/templates/*") {
            guard isUUID(m[0]) else { throw SandboxError.invalidUUID(m[0]) }
            guard let record = await store.template(id: m[0]) else { throw SandboxError.notFound }
            return try Reply.json(record.template)
        }
        if let m = r.match(.get, "api/v2/organizations/*/templates/*") {
            guard let record = await store.template(named: m[1]) else { throw SandboxError.notFound }
            return try Reply.json(record.template)
        }
        if let m = r.match(.get, "api/v2/templateversions/*") {
            return try Reply.json(try await templateVersion(m[0]).version)
        }
        if let m = r.match(.get, "api/v2/templateversions/*/rich-parameters") {
            return try Reply.json(try await templateVersion(m[0]).parameters)
        }
        if let m = r.match(.get, "api/v2/templateversions/*/presets") {
            return try Reply.json(try await templateVersion(m[0]).presets)
        }

        // Workspaces
        if r.match(.get, "api/v2/workspaces") != nil {
            let list = try await store.searchWorkspaces(r.query["q"] ?? "", caller: user)
            let offset = try pagination(r, "offset") ?? 0
            let limit = try pagination(r, "limit") ?? 0
            let page = Array(list.dropFirst(offset).prefix(limit == 0 ? Int.max : limit))
            // `{"workspaces":[…],"count":n}` from each workspace's cached JSON.
            var body = Data("{\"workspaces\":[".utf8)
            for (index, workspace) in page.enumerated() {
                if index > 0 { body.append(UInt8(ascii: ",")) }
                body.append(try await store.json(workspace))
            }
            body.append(contentsOf: Data("],\"count\":\(list.count)}".utf8))
            return Reply.raw(status: 200, contentType: "application/json; charset=utf-8", body: body)
        }
        if let m = r.match(.get, "api/v2/workspaces/*") {
            let workspace = try await workspace(m[0], includeDeleted: r.query["include_deleted"] == "true")
            return Reply.raw(status: 200, contentType: "application/json; charset=utf-8", body: try await store.json(workspace))
        }
        if let m = r.match(.get, "api/v2/users/*/workspace/*") {
            let owner = try await store.requireUser(m[0], caller: user)
            guard let workspace = await store.workspace(owner: owner, name: m[1]) else { throw SandboxError.notFound }
            return try Reply.json(await store.render(workspace))
        }
        if let m = r.match(.post, "api/v2/users/*/workspaces") {
            return try await createWorkspace(r, owner: try await store.requireUser(m[0], caller: user), caller: user)
        }
        if let m = r.match(.post, "api/v2/organizations/*/members/*/workspaces") {
            guard m[0] == store.organization.id || m[0].lowercased() == store.organization.name else { throw SandboxError.notFound }
            return try await createWorkspace(r, owner: try await store.requireUser(m[1], caller: user), caller: user)
        }

        // Builds
        if let m = r.match(.post, "api/v2/workspaces/*/builds") {
            let request = try r.decode(CreateWorkspaceBuildRequest.self)
            let (workspace, build) = try await store.createBuild(workspaceID: m[0], request: request, initiator: user)
            simulator.run(build: build.id, of: workspace.id)
            return try Reply.json(await store.render(build: build, of: workspace), status: 201)
        }
        if let m = r.match(.get, "api/v2/workspaces/*/builds") {
            let workspace = try await workspace(m[0], includeDeleted: true)
            var builds: [WorkspaceBuild] = []
            for build in workspace.builds.reversed() { builds.append(await store.render(build: build, of: workspace)) }
            return try Reply.json(builds)
        }
        if let m = r.match(.get, "api/v2/workspacebuilds/*") {
            let (workspace, build) = try await build(m[0])
            return try Reply.json(await store.render(build: build, of: workspace))
        }
        if let m = r.match(.get, "api/v2/workspacebuilds/*/parameters") {
            let (workspace, _) = try await build(m[0])
            return try Reply.json(workspace.parameters)
        }
        if let m = r.match(.get, "api/v2/workspacebuilds/*/resources") {
            let (workspace, build) = try await build(m[0])
            return try Reply.json(await store.render(build: build, of: workspace).resources)
        }
        throw SandboxError.routeNotFound
    }

    func pagination(_ r: SandboxRequest, _ key: String) throws -> Int? {
        guard let text = r.query[key] else { return nil }
        guard let value = Int32(text), value >= 0 else {
            throw SandboxError(400, "Query parameters have invalid values.", validations: [ValidationError(field: key, detail: "Query param \"\(key)\" must be a valid 32-bit integer (\(text))")])
        }
        return Int(value)
    }

    func templateVersion(_ id: String) async throws -> TemplateRecord {
        guard isUUID(id) else { throw SandboxError.invalidUUID(id) }
        guard let record = await store.templateForVersion(id) else { throw SandboxError.notFound }
        return record
    }

    func workspace(_ id: String, includeDeleted: Bool) async throws -> WorkspaceRecord {
        if includeDeleted, isUUID(id), let record = await store.workspaces[id.lowercased()] { return record }
        return try await store.workspace(id: id)
    }

    func build(_ id: String) async throws -> (WorkspaceRecord, BuildRecord) {
        guard isUUID(id) else { throw SandboxError.invalidUUID(id) }
        for workspace in await store.workspaces.values {
            if let build = workspace.builds.first(where: { $0.id == id }) { return (workspace, build) }
        }
        throw SandboxError.notFound
    }

    func createWorkspace(_ r: SandboxRequest, owner: User, caller: User) async throws -> Response {
        let request = try r.decode(CreateWorkspaceRequest.self)
        let workspace = try await store.createWorkspace(owner: owner, request: request, initiator: caller)
        simulator.run(build: workspace.latestBuild.id, of: workspace.id)
        return try Reply.json(await store.render(workspace), status: 201)
    }
}
