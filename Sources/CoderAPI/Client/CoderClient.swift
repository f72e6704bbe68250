import Foundation
import Logging

/// A typed client for the parts of Coder's REST API that fleet-mcp uses.
///
/// The client is a value: cheap to copy, safe to share across tasks. It sends every request through an
/// `HTTPTransport`, so the same code talks to a live Coder, replays a cassette, or records one.
public struct CoderClient: Sendable {
    public let baseURL: URL
    public let transport: any HTTPTransport
    public var retry: RetryPolicy
    public var timeout: Duration
    public var logger: Logger
    private let token: SessionToken?

    public init(
        baseURL: URL, token: SessionToken?, transport: any HTTPTransport,
        retry: RetryPolicy = RetryPolicy(), timeout: Duration = .seconds(30),
        logger: Logger = Logger(label: "fleet-mcp.coder")
    ) {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = URL(string: base) ?? baseURL
        self.token = token
        self.transport = transport
        self.retry = retry
        self.timeout = timeout
        self.logger = logger
    }

    // MARK: - Requests

    /// Sends a request and returns the raw response when its status is 2xx; otherwise throws `CoderAPIError`.
    public func send(
        _ method: String, _ path: String, query: [URLQueryItem] = [], body: (any Encodable & Sendable)? = nil,
        headers: [(name: String, value: String)] = [], timeout: Duration? = nil
    ) async throws -> CoderHTTPResponse {
        let request = try prepare(method, path, query: query, body: body.map { try CoderJSON.encode($0) }, headers: headers, timeout: timeout)
        let response = try await sendWithRetry(request) { try await transport.send($0) }
        guard (200..<300).contains(response.status) else {
            throw CoderAPIError(response: response, request: request)
        }
        return response
    }

    /// Sends a request and decodes the 2xx body as `T`.
    public func decode<T: Decodable>(
        _ type: T.Type, _ method: String, _ path: String, query: [URLQueryItem] = [],
        body: (any Encodable & Sendable)? = nil, timeout: Duration? = nil
    ) async throws -> T {
        let response = try await send(method, path, query: query, body: body, timeout: timeout)
        do {
            if T.self is any ReadSelectively.Type { return try SelectiveJSONDecoder().decode(T.self, from: response.body) }
            return try CoderJSON.decode(T.self, from: response.body)
        } catch {
            throw CoderDecodingError(request: "\(method) \(path)", type: String(describing: T.self), reason: "\(error)")
        }
    }

    /// `GET path` whose 2xx body is decoded piece by piece as it arrives (`StreamedListDecoder`), so the whole
    /// body is never held. A retried attempt starts a fresh decoder.
    public func getStreamed<List: StreamableList>(_ path: String, query: [URLQueryItem] = [], as type: List.Type = List.self) async throws -> List {
        try await getStreamed(path, query: query, type: String(describing: List.self), consumer: StreamedListDecoder<List>.init) { try $0.result() }
    }

    /// `GET path` with the 2xx body streamed into a fresh `consumer()` per attempt; `finish` reads the result.
    func getStreamed<Consumer: ResponseBodyConsumer, Result>(
        _ path: String, query: [URLQueryItem], type: String, consumer: () -> Consumer,
        finish: (Consumer) throws -> Result
    ) async throws -> Result {
        let request = prepare("GET", path, query: query, body: nil, headers: [], timeout: nil)
        var result: Result?
        let response = try await sendWithRetry(request) { attempt in
            var reader = consumer()
            let response: CoderHTTPResponse
            do {
                response = try await transport.send(attempt, streamingInto: &reader)
                if (200..<300).contains(response.status) { result = try finish(reader) }
            } catch let error as DecodingError {
                throw CoderDecodingError(request: "GET \(path)", type: type, reason: "\(error)")
            }
            return response
        }
        guard (200..<300).contains(response.status), let result else { throw CoderAPIError(response: response, request: request) }
        return result
    }

    public func get<T: Decodable>(_ path: String, query: [URLQueryItem] = [], as type: T.Type = T.self) async throws -> T {
        try await decode(type, "GET", path, query: query)
    }

    private func prepare(
        _ method: String, _ path: String, query: [URLQueryItem], body: Data?, headers: [(name: String, value: String)],
        timeout: Duration?
    ) -> CoderHTTPRequest {
        var request = CoderHTTPRequest(method: method, url: url(path, query: query), timeout: timeout ?? self.timeout)
        request.headers.append((name: "Accept", value: "application/json"))
        request.headers.append(contentsOf: headers)
        if let token, !headers.contains(where: { $0.name.caseInsensitiveCompare(SessionToken.headerName) == .orderedSame }) {
            request.headers.append((name: SessionToken.headerName, value: token.secret))
        }
        if let body {
            request.body = body
            request.headers.append((name: "Content-Type", value: "application/json"))
        }
        return request
    }

    func url(_ path: String, query: [URLQueryItem]) -> URL {
        var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false)!
        components.percentEncodedPath = (components.percentEncodedPath) + path
        if !query.isEmpty {
            components.queryItems = query
            // URLComponents leaves '+' alone; Go's query parser reads it as a space.
            components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        }
        return components.url!
    }

    /// Sends with `attempt` until an answer is final: retries GETs on retryable statuses and connection failures.
    private func sendWithRetry(
        _ request: CoderHTTPRequest, _ send: (CoderHTTPRequest) async throws -> CoderHTTPResponse
    ) async throws
        -> CoderHTTPResponse
    {
        let attempts = RetryPolicy.isIdempotent(request.method) ? max(1, retry.maxAttempts) : 1
        var attempt = 1
        var request = request
        let requested = request.timeout
        while true {
            // Each attempt gets what is left of the call's deadline, never more than the request's own timeout.
            if let left = CallDeadline.remaining {
                guard left > .milliseconds(5) else {
                    throw TransportError(
                        request: request.description, reason: "the call's deadline passed before Coder answered", isTimeout: true)
                }
                request.timeout = min(requested, left)
            }
            let started = ContinuousClock.now
            logger.debug("→ \(request.description)")
            do {
                let response = try await send(request)
                logger.debug("← \(response.status) \(request.description) in \(ContinuousClock.now - started)")
                if attempt < attempts, retry.retryableStatuses.contains(response.status) {
                    let wait = retry.delay(afterAttempt: attempt, retryAfter: response.header("Retry-After"))
                    guard fitsDeadline(wait) else { return response }
                    logger.info("Coder answered \(response.status) to \(request.description); retry \(attempt) in \(wait)")
                    try await Task.sleep(for: wait)
                    attempt += 1
                    continue
                }
                return response
            } catch var error as TransportError {
                if error.isTimeout, error.after == nil { error.after = request.timeout }
                // A down Coder is reported soon; a connection that broke mid-request is retried like a 502.
                let allowed = error.isConnectFailure ? min(attempts, retry.maxConnectionAttempts) : attempts
                guard attempt < allowed, !error.isTimeout, !error.isFinal else { throw error }
                let wait = retry.delay(afterAttempt: attempt, retryAfter: nil)
                guard fitsDeadline(wait) else { throw error }
                logger.info("\(error); retry \(attempt) in \(wait)")
                try await Task.sleep(for: wait)
                attempt += 1
            }
        }
    }

    /// Whether waiting `wait` still leaves time for another attempt within the call's deadline.
    private func fitsDeadline(_ wait: Duration) -> Bool {
        guard let left = CallDeadline.remaining else { return true }
        return left - wait > .milliseconds(50)
    }

    private static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? segment
    }

    public static func path(_ segments: String...) -> String {
        segments.map { $0.hasPrefix("/") ? $0 : "/" + escape($0) }.joined()
    }
}

// MARK: - Endpoints

extension CoderClient {
    /// `GET /api/v2/buildinfo`.
    public func buildInfo() async throws -> BuildInfo { try await get("/api/v2/buildinfo") }

    /// `GET /api/v2/users/{user}` (`me` for the caller).
    public func user(_ user: String = "me") async throws -> User { try await get(Self.path("/api/v2/users", user)) }

    /// `GET /api/v2/organizations`.
    public func organizations() async throws -> [Organization] { try await get("/api/v2/organizations") }

    /// `GET /api/v2/users/{user}/organizations`.
    public func organizations(ofUser user: String) async throws -> [Organization] {
        try await get(Self.path("/api/v2/users", user, "organizations"))
    }

    /// `GET /api/v2/templates[?q=]`.
    public func templates(query: String? = nil) async throws -> [Template] {
        try await get("/api/v2/templates", query: query.map { [URLQueryItem(name: "q", value: $0)] } ?? [])
    }

    /// `GET /api/v2/templates/{id}`.
    public func template(id: String) async throws -> Template { try await get(Self.path("/api/v2/templates", id)) }

    /// `GET /api/v2/templateversions/{id}`.
    public func templateVersion(id: String) async throws -> TemplateVersion {
        try await get(Self.path("/api/v2/templateversions", id))
    }

    /// `GET /api/v2/templateversions/{id}/rich-parameters`.
    public func richParameters(templateVersionID id: String) async throws -> [TemplateVersionParameter] {
        try await get(Self.path("/api/v2/templateversions", id, "rich-parameters"))
    }

    /// `GET /api/v2/templateversions/{id}/presets`.
    public func presets(templateVersionID id: String) async throws -> [Preset] {
        try await get(Self.path("/api/v2/templateversions", id, "presets"))
    }

    /// `GET /api/v2/workspaces?q=&limit=&offset=`.
    public func workspaces(_ filter: WorkspaceFilter = WorkspaceFilter(), limit: Int? = nil, offset: Int? = nil) async throws -> WorkspacesResponse {
        try await workspaces(filter, limit: limit, offset: offset, as: WorkspacesResponse.self)
    }

    /// `GET /api/v2/workspaces?q=&limit=&offset=`, decoded as `T` (e.g. `WorkspaceViewsResponse`).
    public func workspaces<T: Decodable>(_ filter: WorkspaceFilter, limit: Int? = nil, offset: Int? = nil, as type: T.Type) async throws -> T {
        let query = Self.listQuery(filter, limit: limit, offset: offset)
        // A fleet's list is the largest answer Coder gives (about 9 KB a workspace): views are decoded as it arrives.
        if let streamable = T.self as? any StreamableList.Type {
            return try await getStreamed("/api/v2/workspaces", query: query, as: streamable) as! T
        }
        return try await get("/api/v2/workspaces", query: query)
    }

    /// `GET /api/v2/workspaces?q=&limit=&offset=`, each workspace passed to `transform` as soon as it is decoded and then
    /// dropped: only what `transform` returns is kept (nil skips the workspace), so memory follows the results, not the
    /// size of Coder's answer (about 9 KB a workspace on the wire, 6 KB decoded). Returns the results and Coder's `count`.
    public func workspaces<T>(
        _ filter: WorkspaceFilter, limit: Int? = nil, offset: Int? = nil,
        compactMap transform: @escaping (WorkspaceView) throws -> T?
    ) async throws -> (items: [T], count: Int) {
        let list = try await getStreamed(
            "/api/v2/workspaces", query: Self.listQuery(filter, limit: limit, offset: offset), type: String(describing: WorkspaceViewsResponse.self),
            consumer: { StreamedListMapper<WorkspaceViewsResponse, T>(transform) }, finish: { try $0.result() })
        return (list.outputs, list.list.count)
    }

    static func listQuery(_ filter: WorkspaceFilter, limit: Int?, offset: Int?) -> [URLQueryItem] {
        var query: [URLQueryItem] = []
        let q = filter.query
        if !q.isEmpty { query.append(URLQueryItem(name: "q", value: q)) }
        if let limit { query.append(URLQueryItem(name: "limit", value: String(limit))) }
        if let offset { query.append(URLQueryItem(name: "offset", value: String(offset))) }
        return query
    }

    /// `GET /api/v2/workspaces/{id}`.
    public func workspace<T: Decodable>(id: String, includeDeleted: Bool = false, as type: T.Type = Workspace.self) async throws -> T {
        try await get(Self.path("/api/v2/workspaces", id), query: includeDeleted ? [URLQueryItem(name: "include_deleted", value: "true")] : [])
    }

    /// `GET /api/v2/users/{user}/workspace/{name}` (Coder matches the name case-insensitively).
    public func workspace<T: Decodable>(owner: String, name: String, as type: T.Type = Workspace.self) async throws -> T {
        try await get(Self.path("/api/v2/users", owner, "workspace", name))
    }

    /// `POST /api/v2/users/{user}/workspaces` → 201.
    public func createWorkspace(user: String = "me", _ request: CreateWorkspaceRequest) async throws -> Workspace {
        try await decode(Workspace.self, "POST", Self.path("/api/v2/users", user, "workspaces"), body: request)
    }

    /// `POST /api/v2/organizations/{org}/members/{user}/workspaces` → 201 (the route older clients use).
    public func createWorkspace<T: Decodable>(
        organization: String, user: String = "me", _ request: CreateWorkspaceRequest,
        as type: T.Type = Workspace.self
    ) async throws -> T {
        try await decode(T.self, "POST", Self.path("/api/v2/organizations", organization, "members", user, "workspaces"), body: request)
    }

    /// `POST /api/v2/workspaces/{id}/builds` → 201.
    public func createBuild(workspaceID: String, _ request: CreateWorkspaceBuildRequest) async throws -> WorkspaceBuild {
        try await decode(WorkspaceBuild.self, "POST", Self.path("/api/v2/workspaces", workspaceID, "builds"), body: request)
    }

    /// `GET /api/v2/workspacebuilds/{id}`.
    public func build(id: String) async throws -> WorkspaceBuild { try await get(Self.path("/api/v2/workspacebuilds", id)) }

    /// `PATCH /api/v2/workspaceagents/me/app-status`, authenticated with the workspace agent's token.
    public func patchAppStatus(agentToken: SessionToken, _ status: PatchAppStatus) async throws {
        _ = try await send(
            "PATCH", "/api/v2/workspaceagents/me/app-status", body: status,
            headers: [(name: SessionToken.headerName, value: agentToken.secret)])
    }
}
