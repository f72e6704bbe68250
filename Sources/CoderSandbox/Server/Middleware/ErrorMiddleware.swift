import Hummingbird
import Logging

/// Turns what handlers throw into Coder's answers: a ``SandboxError`` into its body, a path no route matches
/// into 404 `Route not found.` (after authenticating under `/api`, as Coder's API group does), anything else
/// into 500 `An internal server error occurred.`
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = SandboxContext
    let store: SandboxStore
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            do {
                return try await next(request, context)
            } catch let error as HTTPError where error.status == .notFound {
                // The router found no route for the path and method.
                if request.pathSegments.first == "api" { _ = try await AuthMiddleware.authenticate(request, store: store) }
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
