import AsyncHTTPClient
import CoderAPI
import CoderSandbox
import Foundation
import NIOCore
import NIOHTTP1

/// One answer of the sandbox, as received.
struct HTTPAnswer: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? { headers.first(name: name) }

    func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T { try CoderJSON.decode(type, from: Data(body)) }

    /// The body as a JSON object (nil when it is not one).
    var object: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }

    /// `message` of a Coder error body.
    var message: String? { object?["message"] as? String }

    var isJSON: Bool { (try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])) != nil }
}

/// Plain HTTP against a running sandbox (no Coder client logic in between: no retries, no decoding).
struct SandboxHTTP: Sendable {
    let sandbox: RunningSandbox

    init(_ sandbox: RunningSandbox) { self.sandbox = sandbox }

    /// One client for the test process (redirects are answers to look at, not to follow).
    static let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    /// Sends a request with the session token (or `token`, or none when `token` is empty).
    func send(
        _ method: HTTPMethod, _ target: String, json body: (any Encodable & Sendable)? = nil, raw: String? = nil,
        token: String? = nil, timeout: Duration = .seconds(30)
    ) async throws -> HTTPAnswer {
        var request = HTTPClientRequest(url: sandbox.url.absoluteString + target)
        request.method = method
        let token = token ?? sandbox.token
        if !token.isEmpty { request.headers.add(name: "Coder-Session-Token", value: token) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try CoderJSON.encode(body)))
        } else if let raw {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: raw))
        }
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let response = try await Self.client.execute(request, timeout: .nanoseconds(nanoseconds))
        let buffer = try await response.body.collect(upTo: 64 << 20)
        return HTTPAnswer(status: Int(response.status.code), headers: response.headers, body: Array(buffer: buffer))
    }

    func get(_ target: String, token: String? = nil) async throws -> HTTPAnswer { try await send(.GET, target, token: token) }

    /// Decodes a successful answer; fails with the answer's text otherwise.
    func json<T: Decodable>(
        _ method: HTTPMethod = .GET, _ target: String, json body: (any Encodable & Sendable)? = nil, expect status: Int = 200,
        as type: T.Type = T.self
    ) async throws -> T {
        let answer = try await send(method, target, json: body)
        guard answer.status == status else { throw UnexpectedAnswer(request: "\(method) \(target)", answer: answer) }
        return try answer.decode(type)
    }

    // MARK: - Fleet shortcuts

    func template(_ name: String) async throws -> Template {
        let templates: [Template] = try await json(.GET, "/api/v2/templates")
        guard let template = templates.first(where: { $0.name == name }) else { throw UnexpectedAnswer(request: "template \(name)", answer: nil) }
        return template
    }

    func createWorkspace(_ name: String, template: String = "webshop", prompt: String? = nil) async throws -> Workspace {
        let template = try await self.template(template)
        let parameters = prompt.map { [WorkspaceBuildParameter(name: "AI Prompt", value: $0)] } ?? []
        return try await json(
            .POST, "/api/v2/users/me/workspaces",
            json: CreateWorkspaceRequest(
                name: name, templateID: template.id,
                richParameterValues: parameters),
            expect: 201)
    }

    /// Creates a task through `/api/v2/tasks` (2.31–2.36).
    func createTask(_ name: String, prompt: String, template: String = "webshop") async throws -> CoderTask {
        let template = try await self.template(template)
        let request = CreateTaskRequest(templateVersionID: template.activeVersionID, input: prompt, name: name)
        return try await json(.POST, "/api/v2/tasks/me", json: request, expect: 201)
    }

    func task(_ name: String) async throws -> CoderTask { try await json(.GET, "/api/v2/tasks/me/\(name)") }

    func workspace(_ id: String) async throws -> Workspace { try await json(.GET, "/api/v2/workspaces/\(id)") }

    func logs(_ task: String) async throws -> HTTPAnswer { try await get("/api/v2/tasks/me/\(task)/logs") }
}

struct UnexpectedAnswer: Error, CustomStringConvertible {
    var request: String
    var answer: HTTPAnswer?
    var description: String { "\(request): \(answer.map { "HTTP \($0.status) \($0.text.prefix(400))" } ?? "not found")" }
}

/// Polls `condition` until it holds (or fails after `timeout`).
func eventually(
    _ what: String, timeout: Duration = .seconds(20), every interval: Duration = .milliseconds(20),
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: interval)
    }
    throw TimedOut(what: what)
}

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

extension SandboxOptions {
    /// Fast agents on a free port.
    static func testing(
        _ version: SandboxVersion = .v2_35, timeScale: Double = 0.02, seed: SandboxSeed = .default,
        idlePause: Duration? = nil, faults: FaultPlan? = nil, latency: Duration = .zero
    ) -> SandboxOptions {
        SandboxOptions(port: 0, seed: seed, coderVersion: version, latency: latency, timeScale: timeScale, idlePause: idlePause, faults: faults)
    }
}
