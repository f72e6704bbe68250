import Hummingbird

/// Records every request on arrival, in order (method, raw path, raw query), before anything can fail.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = SandboxContext
    let log: RequestLog

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        log.record(SandboxRequestRecord(method: request.method.rawValue, path: request.uri.path, query: request.uri.query))
        return try await next(request, context)
    }
}
