import Hummingbird
import Logging

/// Turns what handlers throw into Coder's answers: a ``SandboxError`` into its body, a path no route matches
/// into 404 `Route not found.`, anything else into 500 `An internal server error occurred.`
///
/// coderd's `/api/v2` and `/api/experimental` routers answer a path they do not know before any authentication
/// (v2.35.1 coderd/coderd.go:1197 and 1423: `r.NotFound` ahead of the groups' `apiKeyMiddleware`); only a path inside
/// a group that exists and authenticates (`/api/v2/workspaces/…`, `/api/v2/tasks/…`) meets that group's
/// authentication first. So `/api/v2/tasks` on 2.27 or 2.37 is a 404 with or without a token.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = SandboxContext
    let store: SandboxStore
    let logger: Logger

    /// Whether an unknown path lies in a group that authenticates before routing.
    func inAuthenticatedGroup(_ segments: [Substring]) -> Bool {
        guard segments.count >= 3, segments[0] == "api" else { return false }
        let capabilities = store.version.capabilities
        switch (segments[1], segments[2]) {
        case ("v2", "users"), ("v2", "organizations"), ("v2", "templates"), ("v2", "templateversions"), ("v2", "workspaces"),
            ("v2", "workspacebuilds"), ("v2", "workspaceagents"):
            return true
        case ("v2", "tasks"): return capabilities.tasksAPI == .stable
        case ("experimental", "tasks"):
            return capabilities.tasksAPI == .experimental || (capabilities.tasksAPI == .stable && capabilities.experimentalTasksServed)
        default: return false
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            do {
                return try await next(request, context)
            } catch let error as HTTPError where error.status == .notFound {
                // The router found no route for the path and method.
                if inAuthenticatedGroup(request.uri.path.split(separator: "/")) {
                    _ = try await AuthMiddleware.authenticate(request, store: store)
                }
                throw SandboxError.routeNotFound
            }
        } catch let error as SandboxError {
            return Reply.error(error)
        } catch {
            logger.error("sandbox: \(request.method) \(request.uri.path) failed: \(error)")
            return Reply.error(SandboxError(500, "An internal server error occurred.", detail: "\(error)"))
        }
    }
}
