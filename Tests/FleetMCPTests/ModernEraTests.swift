import CoderAPI
import Fleet
import Foundation
import MCP
import Testing

@testable import FleetMCP

#if canImport(Glibc)
import Glibc
#endif

/// MCP 2026-07-28 (`ModernEra`): hostile input for the new surface, subscriptions that open and close without
/// leaking, the tool contract of both eras, and the cost of a modern `tools/call` beside a legacy one.
@Suite struct ModernEraTests {
    static let meta = #""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}"#

    func frame(_ text: String) throws -> RPCFrame {
        guard case .message(let frame) = RPCFrame.read(Data(text.utf8)) else { throw CancellationError() }
        return frame
    }

    func message(_ reply: ModernEra.Reply) throws -> (Value, Int) {
        guard case .message(let data, let status) = reply else { throw CancellationError() }
        return (try JSONDecoder().decode(Value.self, from: data), status)
    }

    func request(_ method: String, _ params: String = "") -> String {
        #"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":{\#(params)\#(params.isEmpty ? "" : ",")\#(Self.meta)}}"#
    }

    @Test func hostileInputIsRefusedAsTheSpecSays() async throws {
        try await SandboxFleet.with { env in
            let era = FleetMCPServer(fleet: env.fleet, version: "test").directToolCalls().modern
            let call = request("tools/call", #""name":"list_agents","arguments":{}"#)
            let headers = ["Mcp-Method": "tools/call", "Mcp-Name": "list_agents", "MCP-Protocol-Version": "2026-07-28"]
            // Headers that match pass, also Base64-encoded; each mismatch or omission is -32020 with 400.
            #expect(try message(await era.reply(to: frame(call), streams: false, headers: headers)).1 == 200)
            var encoded = headers
            encoded["Mcp-Name"] = "=?base64?\(Data("list_agents".utf8).base64EncodedString())?="
            #expect(try message(await era.reply(to: frame(call), streams: false, headers: encoded)).1 == 200)
            for (name, value) in [
                ("Mcp-Method", "tools/list"), ("Mcp-Name", "delete_agent"), ("MCP-Protocol-Version", "2025-11-25"), ("Mcp-Name", "=?base64?!!?="),
            ] {
                var wrong = headers
                wrong[name] = value
                let (reply, status) = try message(await era.reply(to: frame(call), streams: false, headers: wrong))
                #expect(status == 400 && reply["error"]?["code"] == .int(-32020), "\(name): \(value) → \(reply)")
            }
            for missing in ["Mcp-Method", "Mcp-Name"] {
                var without = headers
                without[missing] = nil
                #expect(try message(await era.reply(to: frame(call), streams: false, headers: without)).0["error"]?["code"] == .int(-32020))
            }
            // Unknown versions: -32022 with the supported list; missing _meta members: -32602.
            let future =
                #"{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2099-01-01","#
                + #""io.modelcontextprotocol/clientCapabilities":{}}}}"#
            let (unsupported, status) = try message(await era.reply(to: frame(future), streams: false))
            #expect(status == 400 && unsupported["error"]?["code"] == .int(-32022))
            #expect(unsupported["error"]?["data"]?["supported"]?.arrayValue?.first == .string("2026-07-28"))
            #expect(unsupported["error"]?["data"]?["requested"] == .string("2099-01-01"))
            let noCapabilities =
                #"{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}"#
            #expect(try message(await era.reply(to: frame(noCapabilities), streams: false)).0["error"]?["code"] == .int(-32602))
            let bareDiscover = #"{"jsonrpc":"2.0","id":4,"method":"server/discover"}"#
            #expect(try message(await era.reply(to: frame(bareDiscover), streams: false)).0["error"]?["code"] == .int(-32602))
            // ping, logging/setLevel, initialize, resources/subscribe are the handshake era's: -32601 (404 over HTTP).
            for method in ["ping", "logging/setLevel", "initialize", "resources/subscribe", "no/such"] {
                let (reply, status) = try message(await era.reply(to: frame(request(method)), streams: false))
                #expect(status == 404 && reply["error"]?["code"] == .int(-32601), "\(method)")
            }
            // A resource that does not exist is -32602.
            let missing = request("resources/read", #""uri":"fleet://agents/nobody""#)
            #expect(try message(await era.reply(to: frame(missing), streams: false)).0["error"]?["code"] == .int(-32602))
            let foreign = request("resources/read", #""uri":"file:///etc/passwd""#)
            #expect(try message(await era.reply(to: frame(foreign), streams: false)).0["error"]?["code"] == .int(-32602))
        }
    }

    @Test func resultsCarryTheEraFields() async throws {
        try await SandboxFleet.with { env in
            let era = FleetMCPServer(fleet: env.fleet, version: "test").directToolCalls().modern
            let (discover, _) = try message(await era.reply(to: frame(request("server/discover")), streams: false))
            #expect(discover["result"]?["supportedVersions"]?.arrayValue?.contains(.string("2025-11-25")) == true)
            #expect(discover["result"]?["_meta"]?["io.modelcontextprotocol/serverInfo"]?["name"] == .string("fleet-mcp"))
            let (tools, _) = try message(await era.reply(to: frame(request("tools/list")), streams: false))
            #expect(tools["result"]?["resultType"] == .string("complete") && tools["result"]?["cacheScope"] == .string("private"))
            #expect((tools["result"]?["ttlMs"]?.intValue ?? 0) > 0)
            #expect(tools["result"]?["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == FleetTools.all.map(\.name))
            let (read, _) = try message(await era.reply(to: frame(request("resources/read", #""uri":"fleet://agents""#)), streams: false))
            #expect(read["result"]?["ttlMs"] == .int(0) && read["result"]?["contents"] != nil)
            let (called, _) = try message(
                await era.reply(to: frame(request("tools/call", #""name":"show_agent","arguments":{"agent_name":"x"}"#)), streams: false))
            #expect(called["result"]?["resultType"] == .string("complete") && called["result"]?["isError"] == .bool(true))
            #expect(called["result"]?["_meta"]?["io.modelcontextprotocol/serverInfo"] != nil)
        }
    }

    /// The tool contract of both eras: 2026-07-28's `tools/list` lists the very tools of the checked-in snapshot
    /// (`tools.json`, the handshake era's), in its order; its envelope is checked in beside it.
    @Test func toolContractOfBothEras() async throws {
        try await SandboxFleet.with { env in
            let era = FleetMCPServer(fleet: env.fleet, version: "snapshot").directToolCalls().modern
            guard case .message(let data, _) = await era.reply(to: try frame(request("tools/list")), streams: false) else {
                throw CancellationError()
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let result = try #require(try JSONDecoder().decode(Value.self, from: data)["result"]?.objectValue)
            let tools = String(decoding: try encoder.encode(result["tools"]), as: UTF8.self) + "\n"
            let stored = try String(contentsOf: Paths.snapshots.appendingPathComponent("tools.json"), encoding: .utf8)
            #expect(tools == stored, "2026-07-28 tools/list differs from the snapshot")
            var envelope = result
            envelope["tools"] = "(tools.json)"
            let current = String(decoding: try encoder.encode(Value.object(envelope)), as: UTF8.self) + "\n"
            let file = Paths.snapshots.appendingPathComponent("tools-list-2026-07-28.json")
            if ProcessInfo.processInfo.environment["UPDATE_SNAPSHOTS"] == "1" { try current.write(to: file, atomically: true, encoding: .utf8) }
            #expect(try String(contentsOf: file, encoding: .utf8) == current, "run UPDATE_SNAPSHOTS=1 swift test --filter ModernEraTests")
        }
    }

    /// 1,000 `subscriptions/listen` streams opened and dropped: nothing stays registered, memory stays bounded.
    @Test func thousandListenStreamsLeakNothing() async throws {
        try await SandboxFleet.with { env in
            let mcp = FleetMCPServer(fleet: env.fleet, version: "test")
            let era = mcp.directToolCalls().modern
            let listen = request("subscriptions/listen", #""notifications":{"resourcesListChanged":true,"resourceSubscriptions":["fleet://agents"]}"#)
            func once() async throws {
                guard case .stream(let messages) = await era.reply(to: try frame(listen), streams: true) else { throw CancellationError() }
                let reader = Task {
                    var first: Data?
                    for try await message in messages {
                        first = message
                        break
                    }
                    return first
                }
                let ack = try JSONDecoder().decode(Value.self, from: try #require(try await reader.value))
                #expect(ack["method"] == .string("notifications/subscriptions/acknowledged"))
                #expect(ack["params"]?["notifications"]?["resourcesListChanged"] == .bool(true))
            }
            for _ in 0..<50 { try await once() }
            let before = Self.residentKiB()
            for _ in 0..<1000 { try await once() }
            try await Task.sleep(for: .milliseconds(200))
            let after = Self.residentKiB()
            #expect(era.listenerCount == 0, "listen streams still registered")
            #expect(await mcp.watcher.listenerCount == 0, "the watcher still serves dropped listeners")
            #expect(after - before < 8 * 1024, "RSS grew \(after - before) KiB over 1,000 listen streams")
            // A stream dropped and re-opened still hears changes.
            guard case .stream(let messages) = await era.reply(to: try frame(listen), streams: true) else { throw CancellationError() }
            let reader = Task {
                var seen: [Value] = []
                for try await message in messages {
                    seen.append(try JSONDecoder().decode(Value.self, from: message))
                    if seen.count == 2 { break }
                }
                return seen
            }
            try await Task.sleep(for: .milliseconds(100))
            _ = try await mcp.call("create_agent", arguments: ["name": "heard", "project": "webshop", "task": "Fix it"])
            let seen = try await reader.value
            #expect(
                seen.last?["method"] == .string("notifications/resources/list_changed")
                    || seen.last?["method"] == .string("notifications/resources/updated"))
            #expect(seen.last?["params"]?["_meta"]?["io.modelcontextprotocol/subscriptionId"] == .int(1))
        }
    }

    static func residentKiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// Median of 1,000 `tools/call` of each era, one run, both printed (BENCHMARKS.md quotes the figures).
    @Test func modernCallCostsNoMoreThanLegacy() async throws {
        try await SandboxFleet.with { env in
            let calls = FleetMCPServer(fleet: env.fleet, version: "test").directToolCalls()
            let legacy = try frame(
                #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_agent_roles","arguments":{"project":"webshop"}}}"#)
            let modern = try frame(request("tools/call", #""name":"list_agent_roles","arguments":{"project":"webshop"}"#))
            var timings: [String: [Duration]] = ["legacy": [], "modern": []]
            for round in 0..<1000 {
                for (era, call) in (round % 2 == 0 ? [("legacy", legacy), ("modern", modern)] : [("modern", modern), ("legacy", legacy)]) {
                    let started = ContinuousClock.now
                    if era == "legacy" {
                        _ = try #require(await calls.respond(to: call))
                    } else {
                        // Not decoded here (the legacy answer is not either): the SDK's `Value` decoder is slow.
                        guard case .message(let data, _) = await calls.modern.reply(to: call, streams: false), !data.isEmpty else {
                            throw CancellationError()
                        }
                    }
                    timings[era, default: []].append(ContinuousClock.now - started)
                }
            }
            func median(_ era: String) -> Double {
                let sorted = (timings[era] ?? []).sorted()
                let middle = sorted[sorted.count / 2]
                return Double(middle.components.attoseconds) / 1e15 + Double(middle.components.seconds) * 1000
            }
            let (old, new) = (median("legacy"), median("modern"))
            print("tools/call list_agent_roles, median of 1,000: legacy \(String(format: "%.3f", old)) ms, modern \(String(format: "%.3f", new)) ms")
            #expect(new <= old * 1.15 + 0.05, "modern \(new) ms against legacy \(old) ms")
        }
    }
}
