import AsyncHTTPClient
import CoderSandbox
import Foundation
import MCP
import NIOCore
import NIOHTTP1

/// `fleet-bench --http-load`: a bounded loopback load test of a server speaking MCP Streamable HTTP. C concurrent
/// clients each initialize, then make R mixed read calls on a fleet of N agents; every message is made and parsed
/// with the Swift SDK's types, so fleet-mcp and the reference are driven identically.
struct HTTPLoad {
    var clients = 50
    var callsPerClient = 200
    var agents = 100

    struct Result: Codable {
        var server: String
        var clients: Int
        var callsPerClient: Int
        var agents: Int
        var calls: Int
        var errors: Int
        var firstErrors: [String]
        var seconds: Double
        var callsPerSecond: Double
        var p50Ms: Double
        var p99Ms: Double
        var maxMs: Double
        /// Latency by tool (successful calls).
        var tools: [ToolLatency]
    }

    struct ToolLatency: Codable {
        var tool: String
        var calls: Int
        var p50Ms: Double
        var p99Ms: Double
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }

    /// One MCP endpoint to load: where it is and the bearer token it wants.
    struct Target {
        var name: String
        var url: String
        var token: String?
    }

    /// Read calls in a fixed, mixed order: lists, single agents, history pages, conversations, projects and roles.
    func call(_ index: Int, client: Int) -> (String, [String: Value]) {
        let agent = Value.string("agent-bench-\((client * 7 + index * 13) % agents)")
        switch index % 10 {
        case 0, 1: return ("list_agents", [:])
        case 2, 3, 4: return ("show_agent", ["agent_name": agent])
        case 5, 6: return ("show_agent_task_history", ["agent_name": agent, "page": 1, "page_size": 20])
        case 7: return ("show_agent_log", ["agent_name": agent])
        case 8: return ("list_agent_projects", [:])
        default: return ("list_agent_roles", ["project": "Webshop"])
        }
    }

    func run(_ target: Target, http: HTTPClient) async throws -> Result {
        let started = ContinuousClock.now
        let outcomes = await withTaskGroup(of: (times: [(String, Double)], errors: [String]).self) { group in
            for client in 0..<clients {
                group.addTask { await runClient(client, target: target, http: http) }
            }
            var all: (times: [(String, Double)], errors: [String]) = ([], [])
            for await outcome in group {
                all.times += outcome.times
                all.errors += outcome.errors
            }
            return all
        }
        let seconds = (ContinuousClock.now - started).seconds
        let times = outcomes.times.map(\.1).sorted()
        let tools = Dictionary(grouping: outcomes.times, by: \.0).map { tool, samples in
            let sorted = samples.map(\.1).sorted()
            return ToolLatency(tool: tool, calls: sorted.count, p50Ms: Self.percentile(sorted, 0.5), p99Ms: Self.percentile(sorted, 0.99))
        }.sorted { $0.tool < $1.tool }
        return Result(
            server: target.name, clients: clients, callsPerClient: callsPerClient, agents: agents, calls: times.count,
            errors: outcomes.errors.count, firstErrors: Array(outcomes.errors.prefix(3)), seconds: seconds,
            callsPerSecond: Double(times.count) / seconds, p50Ms: Self.percentile(times, 0.5), p99Ms: Self.percentile(times, 0.99),
            maxMs: times.last ?? 0, tools: tools)
    }

    /// One client: initialize, the initialized notification, then its calls; latency per successful call, errors as text.
    func runClient(_ client: Int, target: Target, http: HTTPClient) async -> (times: [(String, Double)], errors: [String]) {
        var session = MCPSession(target: target, http: http)
        var times: [(String, Double)] = []
        var errors: [String] = []
        do {
            try await session.initialize()
        } catch {
            return ([], ["client \(client) initialize: \(error)"])
        }
        for index in 0..<callsPerClient {
            let (tool, arguments) = call(index, client: client)
            let started = ContinuousClock.now
            do {
                let result = try await session.call(tool, arguments)
                if result.isError == true {
                    let text = result.content.compactMap { if case .text(let text, _, _) = $0 { text } else { nil } }.joined()
                    errors.append("\(tool): \(text.prefix(160))")
                } else {
                    times.append((tool, (ContinuousClock.now - started).milliseconds))
                }
            } catch {
                errors.append("\(tool): \(error)")
            }
        }
        return (times, errors)
    }
}

/// A client's conversation with one endpoint over plain HTTP POSTs (JSON or SSE answers), messages by the SDK.
struct MCPSession {
    let target: HTTPLoad.Target
    let http: HTTPClient
    var sessionID: String?
    var protocolVersion: String?

    struct Failure: Error, CustomStringConvertible { var description: String }

    init(target: HTTPLoad.Target, http: HTTPClient) {
        self.target = target
        self.http = http
    }

    mutating func initialize() async throws {
        let request = Initialize.request(
            .init(
                protocolVersion: "2025-06-18", capabilities: .init(),
                clientInfo: .init(name: "fleet-bench", version: "1")))
        let (body, headers) = try await post(try JSONEncoder().encode(request))
        sessionID = headers.first(name: "mcp-session-id")
        let message = try Self.message(body, contentType: headers.first(name: "content-type"))
        let response = try JSONDecoder().decode(Response<Initialize>.self, from: message)
        protocolVersion = try response.result.get().protocolVersion
        _ = try await post(try JSONEncoder().encode(InitializedNotification.message()))
    }

    func call(_ tool: String, _ arguments: [String: Value]) async throws -> CallTool.Result {
        let request = CallTool.request(.init(name: tool, arguments: arguments))
        let (body, headers) = try await post(try JSONEncoder().encode(request))
        let message = try Self.message(body, contentType: headers.first(name: "content-type"))
        let response = try JSONDecoder().decode(Response<CallTool>.self, from: message)
        return try response.result.get()
    }

    func post(_ body: Data) async throws -> (ByteBuffer, HTTPHeaders) {
        var request = HTTPClientRequest(url: target.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json, text/event-stream")
        if let token = target.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let sessionID { request.headers.add(name: "Mcp-Session-Id", value: sessionID) }
        if let protocolVersion { request.headers.add(name: "MCP-Protocol-Version", value: protocolVersion) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await http.execute(request, timeout: .seconds(60))
        let buffer = try await response.body.collect(upTo: 16 << 20)
        guard (200..<300).contains(response.status.code) else {
            throw Failure(description: "HTTP \(response.status.code): \(String(buffer: buffer).prefix(200))")
        }
        return (buffer, response.headers)
    }

    /// The JSON-RPC message of a JSON body, or the last `data:` of an SSE body (progress events come before it).
    static func message(_ body: ByteBuffer, contentType: String?) throws -> Data {
        let text = String(buffer: body)
        guard contentType?.lowercased().hasPrefix("text/event-stream") == true else { return Data(text.utf8) }
        let data = text.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("data:") }
            .map { $0.dropFirst(5).trimmingCharacters(in: .whitespaces) }
        guard let last = data.last(where: { !$0.isEmpty }) else { throw Failure(description: "SSE answer without a message") }
        return Data(last.utf8)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
