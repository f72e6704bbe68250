import CoderAPI
import Foundation

/// Checks each incoming stdio frame against JSON-RPC 2.0 before the SDK sees it, and answers the ones the SDK
/// would answer wrongly or not at all (swift-sdk 0.12.1 replies to a parse error with a random id, to
/// `"id": null` with `""`, and stays silent on float or object ids, so a client waiting on one hangs).
///
/// Written here because the SDK offers no hook for malformed frames; everything well-formed passes unchanged.
enum FrameScreen {
    enum Verdict: Equatable {
        /// Hand the frame to the SDK.
        case pass
        /// Answer with this JSON-RPC error and drop the frame.
        case reply(Data)
    }

    static func check(_ frame: Data) -> Verdict {
        let decoder = JSONDecoder()
        // The whole frame must be JSON the SDK can read: valid UTF-8, no lone surrogates, no out-of-range numbers.
        guard (try? decoder.decode(JSONValue.self, from: frame)) != nil else {
            return .reply(error(id: .null, code: -32700, "Parse error: the message is not valid JSON."))
        }
        if let batch = try? decoder.decode([Probe].self, from: frame) {
            guard !batch.isEmpty else { return .reply(error(id: .null, code: -32600, "Invalid Request: an empty batch.")) }
            guard batch.allSatisfy({ $0.problem == nil }) else {
                return .reply(error(id: .null, code: -32600, "Invalid Request: every batch item must be a valid JSON-RPC message."))
            }
            return .pass
        }
        guard let probe = try? decoder.decode(Probe.self, from: frame) else {
            if (try? decoder.decode(JSONValue.self, from: frame)) != nil {
                return .reply(error(id: .null, code: -32600, "Invalid Request: a JSON-RPC message is a JSON object."))
            }
            return .reply(error(id: .null, code: -32700, "Parse error: the message is not valid JSON."))
        }
        guard let (code, message) = probe.problem else { return .pass }
        if probe.id == nil && code == -32602 { return .pass }  // a notification gets no answer; the SDK ignores it
        return .reply(error(id: probe.id?.json ?? .null, code: code, message))
    }

    /// The parts of a message that decide whether it is well-formed.
    struct Probe: Decodable {
        enum ID: Equatable {
            case string(String), integer(Int), invalid
            var json: JSONValue? {
                switch self {
                case .string(let text): .string(text)
                case .integer(let number): .number(Double(number))
                case .invalid: nil
                }
            }
        }
        enum Kind: Decodable, Equatable {
            case null, object, other
            init(from decoder: any Decoder) throws {
                if let single = try? decoder.singleValueContainer(), single.decodeNil() {
                    self = .null
                } else if (try? decoder.container(keyedBy: Key.self)) != nil {
                    self = .object
                } else {
                    self = .other
                }
            }
        }
        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(_ name: String) { stringValue = name }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        struct Params: Decodable {
            var arguments: Kind?
            var name: String?
        }

        var id: ID?
        var jsonrpc: String?
        var method: String?
        var methodIsString = true
        var params: Kind?
        var arguments: Kind?
        var toolName: String?
        var isResponse = false

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            if container.contains(Key("id")) {
                if let number = try? container.decode(Int.self, forKey: Key("id")) {
                    id = .integer(number)
                } else if let text = try? container.decode(String.self, forKey: Key("id")) {
                    id = .string(text)
                } else {
                    id = .invalid
                }
            }
            jsonrpc = try? container.decode(String.self, forKey: Key("jsonrpc"))
            if container.contains(Key("method")) {
                method = try? container.decode(String.self, forKey: Key("method"))
                methodIsString = method != nil
            }
            params = try? container.decodeIfPresent(Kind.self, forKey: Key("params"))
            if params == .object {
                let decoded = try? container.decode(Params.self, forKey: Key("params"))
                arguments = decoded?.arguments
                toolName = decoded?.name
            }
            isResponse = container.contains(Key("result")) || container.contains(Key("error"))
        }

        /// The JSON-RPC error this message earns, or nil when it is well-formed.
        var problem: (Int, String)? {
            if id == .invalid { return (-32600, "Invalid Request: id must be a string or an integer.") }
            guard jsonrpc == "2.0" else { return (-32600, "Invalid Request: jsonrpc must be \"2.0\".") }
            guard methodIsString else { return (-32600, "Invalid Request: method must be a string.") }
            guard let method else {
                return id != nil && isResponse ? nil : (-32600, "Invalid Request: no method.")
            }
            if let params, params == .other { return (-32602, "Invalid params: params must be an object.") }
            if method == "tools/call", let arguments, arguments == .other {
                return (-32602, "Invalid params: tools/call arguments must be an object.")
            }
            if method == "tools/call", toolName == nil { return (-32602, "Invalid params: tools/call needs a tool name.") }
            return nil
        }
    }

    /// The answer to a frame longer than `limit` bytes, which is dropped unread.
    static func tooLarge(limit: Int) -> Data {
        error(id: .null, code: -32600, "Invalid Request: the message is larger than \(limit >> 20) MiB and was dropped.")
    }

    private static func error(id: JSONValue, code: Int, _ message: String) -> Data {
        struct ErrorBody: Encodable {
            var code: Int
            var message: String
        }
        struct Response: Encodable {
            var jsonrpc = "2.0"
            var id: JSONValue
            var error: ErrorBody
        }
        return (try? JSONEncoder().encode(Response(id: id, error: ErrorBody(code: code, message: message)))) ?? Data()
    }
}
