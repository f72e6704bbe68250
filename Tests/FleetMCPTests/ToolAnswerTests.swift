import CoderAPI
import Fleet
import Foundation
import MCP
import Testing

@testable import FleetMCP

/// One encoding per result: a tool's output is encoded once (`ToolAnswer`), and the response around it is the SDK's
/// wire form byte for byte; the SDK's own path decodes it once more, the direct path (stdio, HTTP) never.
@Suite struct ToolAnswerTests {
    struct Sample: Encodable {
        var name = "quote \" backslash \\ slash / tab\tnewline\n"
        var emoji = "ada 🚀 — ünïcode"
        var control = "\u{01}\u{1F}\u{7F}"
        var count = 3
        var ratio = 0.25
        var whole = 2.0
        var missing: String? = nil
        var nested = [["pull_request": "https://github.com/acme/webshop/pull/101"]]
        var flags = [true, false]
    }

    /// The response as the three-pass path made it: output to JSON, to `Value`, to text, to the wire.
    func threePass(_ output: some Encodable, id: ID) throws -> Data {
        let value = try JSONDecoder().decode(JSONValue.self, from: try FleetJSON.encoder().encode(output)).mcpValue
        let text = String(decoding: try FleetJSON.encoder().encode(value), as: UTF8.self)
        let result = CallTool.Result(
            content: [.text(text: text, annotations: nil, _meta: nil)], structuredContent: Optional.some(value), isError: false)
        return try DirectToolCalls.encode(CallTool.response(id: id, result: result))
    }

    @Test(arguments: [ID.number(7), ID.string("s-\"1\"\n"), ID.number(-9_007_199_254_740_993)])
    func responseIsTheSDKsWireForm(_ id: ID) throws {
        let counts = EncodingCount()
        let answer = try EncodingCount.$current.withValue(counts) { try ToolAnswer(output: Sample()) }
        #expect(String(decoding: answer.response(id: id), as: UTF8.self) == String(decoding: try threePass(Sample(), id: id), as: UTF8.self))
        #expect(counts.encodings == 1 && counts.decodings == 0)
        // The SDK's form reads the same.
        let sdk = try JSONDecoder().decode(Response<CallTool>.self, from: answer.response(id: id)).result.get()
        #expect(sdk == answer.result)
    }

    @Test func quotingMatchesJSONEncoder() throws {
        let text = String((0..<0x80).map { Character(Unicode.Scalar(UInt8($0))) }) + "é🚀\u{2028}"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        #expect(JSONText.quoted(text) == (try encoder.encode(text)))
    }

    @Test func directCallsEncodeOnceAndNeverDecode() async throws {
        try await SandboxFleet.with { env in
            let mcp = FleetMCPServer(fleet: env.fleet, version: "test")
            let calls = mcp.directToolCalls()
            let frame = #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_agent_projects","arguments":{}}}"#
            guard case .message(let call) = RPCFrame.read(Data(frame.utf8)) else { throw CancellationError() }
            let direct = EncodingCount()
            let answer = try #require(await EncodingCount.$current.withValue(direct) { await calls.respond(to: call) })
            #expect(direct.encodings == 1 && direct.decodings == 0, "direct: \(direct.encodings) encodings, \(direct.decodings) decodings")
            let response = try JSONDecoder().decode(Response<CallTool>.self, from: answer).result.get()
            #expect(response.isError == false && response.structuredContent?["projects"] != nil)

            // Streamed (SSE over HTTP): the same one encoding.
            let streamed = EncodingCount()
            let messages = try #require(EncodingCount.$current.withValue(streamed) { calls.stream(call) })
            var last = Data()
            for try await message in messages { last = message }
            #expect(last == answer)
            #expect(streamed.encodings == 1 && streamed.decodings == 0)

            // The SDK's path (kept for in-process clients): one encoding, one decoding into `Value`; the SDK then
            // encodes that `Value` again itself.
            let sdk = EncodingCount()
            _ = try await EncodingCount.$current.withValue(sdk) { try await mcp.call("list_agent_projects", arguments: [:]) }
            #expect(sdk.encodings == 1 && sdk.decodings == 1)
        }
    }
}
