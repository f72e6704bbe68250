import Foundation
import Testing

@testable import FleetMCP

/// The one JSON-RPC reader (`RPCFrame`, stdio and HTTP): malformed JSON-RPC gets the answer JSON-RPC 2.0 requires,
/// with the right id; well-formed messages pass with the fields routing needs.
@Suite struct RPCFrameTests {
    func answer(_ frame: String) throws -> [String: Any]? {
        switch RPCFrame.read(Data(frame.utf8)) {
        case .message, .batch: return nil
        case .refused(let refusal): return try JSONSerialization.jsonObject(with: refusal.response) as? [String: Any]
        }
    }

    func message(_ frame: String) throws -> RPCFrame {
        guard case .message(let message) = RPCFrame.read(Data(frame.utf8)) else { throw CancellationError() }
        return message
    }

    func code(_ reply: [String: Any]?) -> Int? { (reply?["error"] as? [String: Any])?["code"] as? Int }

    @Test func wellFormedMessagesPass() throws {
        #expect(try answer(#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#) == nil)
        #expect(try answer(#"{"jsonrpc":"2.0","id":"abc","method":"tools/call","params":{"name":"x","arguments":{}}}"#) == nil)
        #expect(try answer(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#) == nil)
        #expect(try answer(#"{"jsonrpc":"2.0","id":7,"result":{}}"#) == nil)
        #expect(try answer(#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#) == nil)
    }

    @Test func parseErrorHasANullID() throws {
        let reply = try answer(#"{"jsonrpc":"2.0","id":1,"method""#)
        #expect(code(reply) == -32700)
        #expect(reply?["id"] is NSNull)
    }

    @Test(arguments: [
        #"{"id":1,"method":"ping"}"#, #"{"hello":"world"}"#, #"42"#, #""text""#, #"[]"#, #"[1,2]"#,
        #"{"jsonrpc":"2.0","id":null,"method":"ping"}"#, #"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#,
        #"{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}"#, #"{"jsonrpc":"2.0","id":true,"method":"ping"}"#,
        #"{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"ping"}"#, #"{"jsonrpc":"2.0","id":1,"method":5}"#,
    ])
    func invalidRequestsAreAnswered(_ frame: String) throws {
        #expect(code(try answer(frame)) == -32600, "\(frame)")
    }

    @Test func invalidIDsAreAnsweredWithNull() throws {
        #expect(try answer(#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#)?["id"] is NSNull)
        #expect(try answer(#"{"id":"keep","method":"ping"}"#)?["id"] as? String == "keep")
    }

    @Test func nonObjectArgumentsAreInvalidParams() throws {
        let reply = try answer(#"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"list_agents","arguments":[1]}}"#)
        #expect(code(reply) == -32602)
        #expect(reply?["id"] as? Int == 9)
        #expect(code(try answer(#"{"jsonrpc":"2.0","id":9,"method":"tools/list","params":"x"}"#)) == -32602)
    }

    @Test func longStringIDsPass() throws {
        #expect(try answer(#"{"jsonrpc":"2.0","id":"\#(String(repeating: "i", count: 10_000))","method":"ping"}"#) == nil)
    }

    @Test func readsWhatRoutingNeeds() throws {
        let call = try message(
            #"{"jsonrpc":"2.0","id":"c","method":"tools/call","params":{"name":"show_agent","arguments":{"agent_name":"data:x","n":2,"f":1.5},"#
                + #""_meta":{"progressToken":7}}}"#)
        #expect(call.id == .string("c") && call.isRequest && !call.isInitialize)
        #expect(call.progressToken == .integer(7))
        let params = try #require(call.toolCall)
        #expect(params.name == "show_agent")
        // Strings stay strings (the SDK's `Value` decoder would make `data:` strings `.data`).
        #expect(params.arguments == ["agent_name": .string("data:x"), "n": .int(2), "f": .double(1.5)])
        #expect(params._meta?.progressToken == .integer(7))
        let progress = try message(#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"p","progress":1}}"#)
        #expect(progress.progressToken == .string("p") && progress.isNotification)
        let cancelled = try message(#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":21}}"#)
        #expect(cancelled.cancelledRequest == .number(21))
        #expect(try message(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#).isInitialize)
        #expect(try message(#"{"jsonrpc":"2.0","id":3,"result":{}}"#).isResponse)
        // A notification with non-object params is handed on without them (and ignored), never answered.
        #expect(try message(#"{"jsonrpc":"2.0","method":"notifications/initialized","params":3}"#).params == nil)
    }

    @Test func wholeFrameMustBeReadable() throws {
        // A lone surrogate or an out-of-range number anywhere, even in a member nobody reads, is a parse error.
        #expect(code(try answer(#"{"jsonrpc":"2.0","id":1,"method":"ping","x":"\ud800"}"#)) == -32700)
        #expect(code(try answer(#"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":[1e400]}}"#)) == -32700)
        #expect(code(try answer("")) == -32700)
    }

    @Test func oversizeAnswer() throws {
        let refusal = RPCFrame.tooLarge(limit: 16 << 20)
        #expect(refusal.code == -32600 && refusal.id == nil && refusal.message.contains("16 MiB"))
    }
}
