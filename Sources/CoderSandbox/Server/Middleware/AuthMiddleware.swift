import CoderAPI
import Hummingbird

/// Authenticates the session token like Coder's `httpmw.ExtractAPIKey` (401 otherwise) and puts the caller
/// in the context.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = SandboxContext
    let store: SandboxStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.caller = try await Self.authenticate(request, store: store)
        return try await next(request, context)
    }

    static func authenticate(_ request: Request, store: SandboxStore) async throws -> User {
        guard let token = request.sessionToken, !token.isEmpty else {
            throw SandboxError.signedOut("Cookie \"coder_session_token\" or query parameter must be provided.")
        }
        guard token.split(separator: "-", maxSplits: 1).count == 2 else {
            throw SandboxError.signedOut("Invalid API key format: expected \"<id>-<secret>\".")
        }
        guard let user = await store.user(forToken: token) else { throw SandboxError.signedOut("API key is invalid.") }
        return user
    }
}
