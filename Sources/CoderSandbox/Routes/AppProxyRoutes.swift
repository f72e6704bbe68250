import CoderAPI
import Foundation
import Hummingbird

/// Coder's path-based app proxy (`/@{owner}/{workspace}[.{agent}]/apps/{slug}/…`, the `@` also as `%40`) in front
/// of the simulated AgentAPI (`/status`, `/messages`, `/message`). Errors are HTML pages, as Coder's are.
struct AppProxyRoutes {
    let store: SandboxStore
    let simulator: Simulator

    static let methods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete, .head, .options]

    func collection() -> RouteCollection<SandboxContext> {
        let routes = RouteCollection(context: SandboxContext.self)
        // The owner segment starts with `@`; the rest of the path is parsed here, as the proxy does.
        for prefix in ["@", "%40"] {
            for path in ["\(prefix){owner}", "\(prefix){owner}/**"] {
                for method in Self.methods {
                    routes.on(RouterPath(path), method: method) { request, _ in try await proxy(request) }
                }
            }
        }
        return routes
    }

    func proxy(_ request: Request) async throws -> Response {
        var segments = request.pathSegments
        guard segments.count >= 4, segments[2] == "apps" else { throw SandboxError.appNotFound }
        let ownerName = String(segments[0].dropFirst(segments[0].hasPrefix("@") ? 1 : 0))
        guard let token = request.sessionToken, let caller = await store.user(forToken: token) else {
            var redirect = SandboxError(303, "See Other")
            redirect.html = "<a href=\"/login\">See Other</a>."
            let message = "You%20are%20signed%20out%20or%20your%20session%20has%20expired."
            redirect.headers = [("Location", "/login?message=\(message)&redirect=\(request.uri.path)")]
            throw redirect
        }
        if ownerName == "me" {
            throw SandboxError.page(
                404, title: "Application Not Found",
                description: "Applications must be accessed with the full username, not @me.")
        }
        guard let owner = await store.user(named: ownerName, caller: caller), owner.id == caller.id else { throw SandboxError.appNotFound }
        let workspaceName = String(segments[1].split(separator: ".", maxSplits: 1).first ?? "")
        let slug = segments[3]
        segments.removeFirst(4)
        guard let workspace = await store.workspace(owner: owner, nameOrID: workspaceName), await store.isAITask(workspace),
            slug == "ccw" || slug == "ccw-cli"
        else {
            throw SandboxError.appNotFound
        }
        if workspace.latestBuild.transition == .stop {
            throw SandboxError.page(
                400, title: "Workspace Offline",
                description: "Last workspace transition was to the \"stop\" state. "
                    + "Start the workspace to access its applications.")
        }
        guard let agent = workspace.agent, agent.status == .connected, workspace.latestBuild.workspaceStatus == .running else {
            throw SandboxError.page(
                404, title: "Application Unavailable",
                description: "Agent state is \"\(workspace.agent?.status.rawValue ?? "disconnected")\", not \"connected\"")
        }
        if workspace.crashed || agent.lifecycle != .ready || slug != "ccw" {
            throw SandboxError.page(
                502, title: "Bad Gateway",
                description: "Failed to proxy request to application: dial tcp 127.0.0.1:3284: connect: connection refused")
        }
        return try await SimulatedAgentAPI(simulator: simulator).respond(to: request, workspace: workspace, path: segments.joined(separator: "/"))
    }
}
