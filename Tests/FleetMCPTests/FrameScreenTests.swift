import Foundation
import Testing

@testable import FleetMCP

/// Malformed JSON-RPC gets the answer JSON-RPC 2.0 requires, with the right id; well-formed messages pass.
@Suite struct FrameScreenTests {
    func answer(_ frame: String) throws -> [String: Any]? {
        switch FrameScreen.check(Data(frame.utf8)) {
        case .pass: return nil
        case .reply(let data): return try JSONSerialization.jsonObject(with: data) as? [String: Any]
        }
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
}
