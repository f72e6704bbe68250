import CoderAPI
import Fleet
import FleetMCP
import Foundation
import MCP
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `tools/call` answered below the SDK on stdio (`DirectToolCalls`), driven through real pipes as a client sees it:
/// same answers as the SDK's path, progress, cancellation, and everything else still reaching the SDK.
@Suite struct DirectToolCallsTests {
    @Test func answersLikeTheSDKPath() async throws {
        try await Stdio.with { env, stdio, sdk in
            _ = try await sdk.ok("create_agent", ["name": "pipe", "project": "webshop", "task": "Fix the cart badge"])
            // Settled, so both paths read the same fleet.
            _ = try await sdk.ok("wait_for_agent", ["agent_name": "pipe", "until": "complete", "timeout_seconds": 30])
            stdio.send(#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"list_agents","arguments":{}}}"#)
            let answer = try await stdio.next()
            #expect(answer["id"] == .int(7))
            let result = try #require(answer["result"]?.objectValue)
            let viaSDK = try await sdk.call("list_agents")
            #expect(result["structuredContent"] == viaSDK.structuredContent)
            #expect(result["isError"] == .bool(false))
            let text = try #require(result["content"]?.arrayValue?.first?["text"]?.stringValue)
            #expect(try JSONDecoder().decode(Value.self, from: Data(text.utf8)) == result["structuredContent"])

            // A tool error is a result; an unknown tool is a protocol error (-32602), as the SDK answers both.
            stdio.send(#"{"jsonrpc":"2.0","id":"s-1","method":"tools/call","params":{"name":"show_agent","arguments":{"agent_name":"ghost"}}}"#)
            let refused = try await stdio.next()
            #expect(refused["id"] == .string("s-1"))
            #expect(refused["result"]?["isError"] == .bool(true))
            stdio.send(#"{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"no_such_tool"}}"#)
            let unknown = try await stdio.next()
            #expect(unknown["error"]?["code"] == .int(-32602), "\(unknown)")

            // What this path does not read goes to the SDK, which answers it.
            stdio.send(#"{"jsonrpc":"2.0","id":9,"method":"tools/call"}"#)
            let noParams = try await stdio.next()
            #expect(noParams["id"] == .int(9))
            #expect(noParams["error"] != nil, "\(noParams)")
            stdio.send(#"{"jsonrpc":"2.0","id":10,"method":"tools/list"}"#)
            let list = try await stdio.next()
            #expect(list["result"]?["tools"]?.arrayValue?.count == FleetTools.all.count)
        }
    }

    @Test func progressAndCancellation() async throws {
        try await Stdio.with { env, stdio, sdk in
            _ = try await sdk.ok("create_agent", ["name": "slowpoke", "project": "webshop", "task": "Sleep [slow]"])
            stdio.send(
                #"{"jsonrpc":"2.0","id":21,"method":"tools/call","params":{"name":"wait_for_agent","#
                    + #""arguments":{"agent_name":"slowpoke","until":"deleted","timeout_seconds":60},"_meta":{"progressToken":"p1"}}}"#)
            let progress = try await stdio.next()
            #expect(progress["method"] == .string("notifications/progress"), "\(progress)")
            #expect(progress["params"]?["progressToken"] == .string("p1"))
            let started = ContinuousClock.now
            stdio.send(#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":21,"reason":"user"}}"#)
            // The cancelled call gets no answer; the next request is answered at once, and the call's progress stops.
            stdio.send(#"{"jsonrpc":"2.0","id":22,"method":"tools/call","params":{"name":"list_agents"}}"#)
            var frame = try await stdio.next()
            while frame["method"] == .string("notifications/progress") { frame = try await stdio.next() }
            #expect(frame["id"] == .int(22), "\(frame)")
            #expect(ContinuousClock.now - started < .seconds(10))
            stdio.send(#"{"jsonrpc":"2.0","id":23,"method":"ping"}"#)
            frame = try await stdio.next()
            while frame["method"] == .string("notifications/progress") { frame = try await stdio.next() }
            #expect(frame["id"] == .int(23), "the cancelled call was answered: \(frame)")
        }
    }
}

/// A fleet-mcp server on `BlockingStdioTransport` over two pipes, with `DirectToolCalls`, plus an in-process SDK
/// client of the same fleet to compare with. The server's output is read on a thread of its own (a blocking read on
/// the cooperative pool could starve the server it waits for).
final class Stdio: Sendable {
    private let toServer: Int32
    /// Lines read so far, and whether the server closed its output.
    private let received = Mutex<(lines: [Data], closed: Bool)>(([], false))

    private init(toServer: Int32, fromServer: Int32) {
        self.toServer = toServer
        let reader = Thread { [self] in
            var pending = Data()
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fromServer, $0.baseAddress, $0.count) }
                if count <= 0 { break }
                pending.append(contentsOf: buffer[0..<count])
                while let newline = pending.firstIndex(of: 0x0A) {
                    let line = Data(pending[pending.startIndex..<newline])
                    self.received.withLock { $0.lines.append(line) }
                    pending = Data(pending[(newline + 1)...])
                }
            }
            close(fromServer)
            self.received.withLock { $0.closed = true }
        }
        reader.start()
    }

    static func with(_ body: (SandboxFleet, Stdio, MCPHarness) async throws -> Void) async throws {
        try await SandboxFleet.with { env in
            var input: [Int32] = [0, 0]
            var output: [Int32] = [0, 0]
            #expect(pipe(&input) == 0 && pipe(&output) == 0)
            let mcp = FleetMCPServer(fleet: env.fleet, version: "test")
            let server = await mcp.makeServer()
            try await server.start(transport: BlockingStdioTransport(input: input[0], output: output[1], direct: mcp.directToolCalls()))
            let stdio = Stdio(toServer: input[1], fromServer: output[0])
            let sdk = try await MCPHarness.connect(env.fleet)
            func stop() async {
                close(input[1])
                await server.stop()
                await mcp.drain(timeout: .seconds(2))
                close(output[1])
            }
            do {
                stdio.send(
                    #"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"#
                        + #""clientInfo":{"name":"pipe","version":"1"}}}"#)
                _ = try await stdio.next()
                stdio.send(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
                try await body(env, stdio, sdk)
            } catch {
                await stop()
                throw error
            }
            await stop()
        }
    }

    func send(_ line: String) {
        let data = Data((line + "\n").utf8)
        _ = data.withUnsafeBytes { write(toServer, $0.baseAddress, $0.count) }
    }

    /// The next frame from the server, as JSON (10 s at most).
    func next() async throws -> [String: Value] {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let (line, closed) = received.withLock { state in (state.lines.isEmpty ? nil : state.lines.removeFirst(), state.closed) }
            if let line { return try #require(try JSONDecoder().decode(Value.self, from: line).objectValue) }
            try #require(!closed, "the server closed its output")
            try await Task.sleep(for: .milliseconds(5))
        }
        Issue.record("no frame from the server within 10 s")
        throw CancellationError()
    }
}
