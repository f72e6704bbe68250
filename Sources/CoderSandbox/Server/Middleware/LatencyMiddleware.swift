import Hummingbird

/// Delays every request by a fixed time, to imitate a remote deployment.
struct LatencyMiddleware: RouterMiddleware {
    typealias Context = SandboxContext
    let latency: Duration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try? await Task.sleep(for: latency)
        return try await next(request, context)
    }
}
