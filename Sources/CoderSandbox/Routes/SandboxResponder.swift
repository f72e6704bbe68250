import CoderAPI
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// Answers every request the way Coder would, from the store, and tells the simulator about new builds and input.
struct SandboxResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let store: SandboxStore
    let simulator: Simulator
    let version: SandboxVersion
    let latency: Duration
    let logger: Logger
    let requests: RequestCounter

    func respond(to request: Request, context: Context) async throws -> Response {
        requests.increment()
        var request = request
        let body = (try? await request.collectBody(upTo: 4 << 20)) ?? ByteBuffer()
        let incoming = SandboxRequest(request, body: body)
        if latency > .zero { try? await Task.sleep(for: latency) }
        do {
            if incoming.path.hasPrefix("/@") || incoming.path.hasPrefix("/%40") {
                return try await appProxy(incoming)
            }
            return try await api(incoming)
        } catch let error as SandboxError {
            return Reply.error(error)
        } catch {
            logger.error("sandbox: \(incoming.method) \(incoming.path) failed: \(error)")
            return Reply.error(SandboxError(500, "An internal server error occurred.", detail: "\(error)"))
        }
    }

    /// The caller, from the session token (401 like Coder otherwise).
    func authenticate(_ request: SandboxRequest) async throws -> User {
        guard let token = request.sessionToken, !token.isEmpty else {
            throw SandboxError.signedOut("Cookie \"coder_session_token\" or query parameter must be provided.")
        }
        let parts = token.split(separator: "-", maxSplits: 1)
        guard parts.count == 2 else { throw SandboxError.signedOut("Invalid API key format: expected \"<id>-<secret>\".") }
        guard let user = await store.user(forToken: token) else { throw SandboxError.signedOut("API key is invalid.") }
        return user
    }

    func api(_ r: SandboxRequest) async throws -> Response {
        if r.match(.get, "api/v2/buildinfo") != nil {
            return try Reply.json(BuildInfo(externalURL: "https://github.com/coder/coder/commit/sandbox", version: version.buildVersion,
                                            dashboardURL: "", telemetry: false, workspaceProxy: false, agentAPIVersion: "2.6",
                                            provisionerAPIVersion: "1.9", upgradeMessage: "", deploymentID: "fleet-mcp-sandbox"))
        }
        if r.match(.patch, "api/v2/workspaceagents/me/app-status") != nil {
            guard let token = r.sessionToken else { throw SandboxError.signedOut("Workspace agent token must be provided.") }
            let patch = try r.decode(PatchAppStatus.self)
            try await store.patchAppStatus(agentToken: token, patch)
            return Reply.null()
        }
        guard r.segments.first == "api" else { throw SandboxError.routeNotFound }
        let user = try await authenticate(r)
        if r.segments.count >= 3, r.segments[1] == "experimental" || (r.segments[1] == "v2" && r.segments[2] == "tasks") {
            return try await tasks(r, user: user)
        }
        return try await resources(r, user: user)
    }
}

/// Counts the requests the sandbox answers (what a benchmark charges a tool call).
final class RequestCounter: Sendable {
    private let value = Mutex(0)
    func increment() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}
