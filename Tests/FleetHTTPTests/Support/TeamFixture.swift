import AsyncHTTPClient
import CoderAPI
import CoderSandbox
import Fleet
import FleetHTTP
import FleetMCP
import Foundation
import MCP
import NIOCore
import NIOHTTP1

/// A sandbox with two users (alice, an admin, and bob, a member), and fleet-mcp serving both over HTTP in-process.
struct TeamFixture: Sendable {
    static let aliceCoderToken = "a11ce00001-aliceCoderSecret000000001"
    static let bobCoderToken = "b0b0000001-bobCoderSecret00000000001"
    static let aliceBearer = "fleet-alice-0123456789abcdef"
    static let bobBearer = "fleet-bob-0123456789abcdef00"

    static var seed: SandboxSeed {
        var seed = SandboxSeed.default
        seed.users = [
            .init(username: "alice", name: "Alice Example", email: "alice@example.com", token: aliceCoderToken),
            .init(username: "bob", name: "Bob Example", email: "bob@example.com", token: bobCoderToken),
        ]
        return seed
    }

    let sandbox: RunningSandbox
    let server: RunningHTTPServer
    let metrics: FleetMetrics
    let options: HTTPServerOptions

    var base: String { "http://127.0.0.1:\(server.port)" }
    var endpoint: String { base + options.path }

    /// Runs `body` with a fresh sandbox and server; both are stopped afterwards (the server gracefully).
    static func with<T: Sendable>(
        _ options: HTTPServerOptions = HTTPServerOptions(host: "127.0.0.1", port: 0), maxConcurrent: Int = 16,
        users: [UsersFile.Entry]? = nil, oauth: OAuthSettings? = nil,
        _ body: @Sendable (TeamFixture) async throws -> T
    ) async throws -> T {
        let sandbox = try await RunningSandbox.start(SandboxOptions(port: 0, seed: seed, coderVersion: .v2_35, timeScale: 0.02))
        let live = LiveTransport()
        let metrics = FleetMetrics()
        let transport = CoderMetricsTransport(live, metrics: metrics)
        let url = sandbox.url
        let factory = UserFactory(
            makeClient: { CoderClient(baseURL: url, token: $0, transport: transport) },
            configuration: FleetConfiguration(maxWait: .seconds(10), callTimeout: .seconds(10)), version: "test",
            maxConcurrentRequests: maxConcurrent)
        let environment = ["ALICE_CODER": aliceCoderToken, "BOB_CODER": bobCoderToken, "REVOKED_CODER": "dead000001-revokedCoderToken00000001"]
        let file = UsersFile(
            users: users ?? [
                .init(name: "alice", tokenSHA256: TokenDigest.hex(aliceBearer), coderTokenEnv: "ALICE_CODER", oauthSubject: "alice@example.com"),
                .init(name: "bob", tokenSHA256: TokenDigest.hex(bobBearer), coderTokenEnv: "BOB_CODER", oauthSubject: "bob@example.com"),
            ])
        do {
            var verifier: OAuthVerifier?
            if let oauth { verifier = try await OAuthVerifier(settings: oauth, transport: live) }
            let authenticator = try factory.authenticator(for: file, oauth: verifier, environment: environment)
            let server = try await FleetHTTPServer(options: options, authenticator: authenticator, metrics: metrics).start()
            let fixture = TeamFixture(sandbox: sandbox, server: server, metrics: metrics, options: options)
            do {
                let result = try await body(fixture)
                try await server.shutdown()
                try await live.shutdown()
                try await sandbox.stop()
                return result
            } catch {
                try? await server.shutdown()
                throw error
            }
        } catch {
            try? await live.shutdown()
            try? await sandbox.stop()
            throw error
        }
    }
}

/// One HTTP answer as received.
struct Answer: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var text: String

    func header(_ name: String) -> String? { headers.first(name: name) }

    /// The JSON-RPC message in a JSON body, or the last message of an SSE body.
    var message: Data {
        guard header("content-type")?.hasPrefix("text/event-stream") == true else { return Data(text.utf8) }
        return Data((events.last ?? "").utf8)
    }

    /// Every SSE `data:` payload, in order.
    var events: [String] {
        text.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("data:") }.map { $0.dropFirst(5).trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }
}

/// Plain HTTP to the server; MCP messages are made and read with the SDK's types.
enum Wire {
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    static func send(
        _ url: String, method: HTTPMethod = .POST, body: Data? = nil, token: String? = nil,
        headers extra: [(String, String)] = [], timeout: Int64 = 30
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if body != nil { request.headers.add(name: "Content-Type", value: "application/json") }
        request.headers.add(name: "Accept", value: "application/json, text/event-stream")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in extra { request.headers.replaceOrAdd(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(request, timeout: .seconds(timeout))
        let buffer = try await response.body.collect(upTo: 16 << 20)
        return Answer(status: Int(response.status.code), headers: response.headers, text: String(buffer: buffer))
    }

    static func encode<M: MCP.Method>(_ request: Request<M>) throws -> Data { try JSONEncoder().encode(request) }

    /// `tools/call` over POST; the result, or the error the server answered.
    static func call(
        _ fixture: TeamFixture, _ tool: String, _ arguments: [String: Value] = [:], token: String,
        progressToken: ProgressToken? = nil, headers: [(String, String)] = []
    ) async throws -> (CallTool.Result, Answer) {
        let params = CallTool.Parameters(name: tool, arguments: arguments, meta: progressToken.map { Metadata(progressToken: $0) })
        let answer = try await send(fixture.endpoint, body: try encode(CallTool.request(params)), token: token, headers: headers)
        guard answer.status == 200 else { throw WireError("HTTP \(answer.status): \(answer.text)") }
        let response = try JSONDecoder().decode(Response<CallTool>.self, from: answer.message)
        return (try response.result.get(), answer)
    }

    static func structured(_ result: CallTool.Result) -> [String: Value] { result.structuredContent?.objectValue ?? [:] }

    static func text(_ result: CallTool.Result) -> String {
        result.content.compactMap { if case .text(let text, _, _) = $0 { text } else { nil } }.joined()
    }
}

struct WireError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
