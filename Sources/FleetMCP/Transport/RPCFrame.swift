import Foundation
import MCP

/// One incoming JSON-RPC frame, read once: the reader every transport uses (stdio and both HTTP modes) before the
/// SDK or `DirectToolCalls` sees a message.
///
/// Reading checks the frame against JSON-RPC 2.0 and answers the ones the SDK would answer wrongly or not at all
/// (swift-sdk 0.12.1 replies to a parse error with a random id, to `"id": null` with `""`, and stays silent on float
/// or object ids, so a client waiting on one hangs). Everything well-formed is handed on unchanged, with the fields
/// routing needs: id, method, params (as MCP values, strings kept as strings), progress token, a `tools/call`'s
/// parameters, a cancellation's request id.
///
/// Written here because the SDK offers no hook for malformed frames and keeps its own message classifier private.
public struct RPCFrame: Sendable {
    /// What a frame turned out to be.
    public enum Reading: Sendable {
        /// One well-formed message.
        case message(RPCFrame)
        /// A well-formed batch (JSON-RPC 2.0 allows them; MCP dropped them in 2025-06-18). stdio hands it to the SDK.
        case batch
        /// Malformed: answer with `refusal` and drop the frame.
        case refused(Refusal)
    }

    /// The JSON-RPC error a malformed frame earns.
    public struct Refusal: Sendable, Error {
        /// The request's id when it could be read; nil answers with `"id": null`.
        public let id: ID?
        public let code: Int
        public let message: String

        /// The refusal as the SDK's error (for HTTP answers made with its types).
        public var error: MCPError {
            let detail = message.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? message
            switch code {
            case -32700: return .parseError(nil)
            case -32602: return .invalidParams(detail)
            default: return .invalidRequest(detail)
            }
        }

        /// The encoded error response.
        public var response: Data { RPCFrame.errorResponse(id: id, code: code, message: message) }
    }

    public let id: ID?
    public let method: String?
    /// The params object (nil when absent, or not an object in a notification, which is then ignored).
    public let params: [String: Value]?
    /// A response (`result` or `error`) rather than a request or notification.
    public let isResponse: Bool

    public var isRequest: Bool { method != nil && id != nil }
    public var isNotification: Bool { method != nil && id == nil }
    public var isInitialize: Bool { isRequest && method == Initialize.name }
    /// The request's `params._meta`.
    public var meta: [String: Value]? { params?["_meta"]?.objectValue }

    /// A request's `params._meta.progressToken`, or a progress notification's `params.progressToken`.
    public var progressToken: ProgressToken? {
        let value = method == ProgressNotification.name && id == nil ? params?["progressToken"] : meta?["progressToken"]
        switch value {
        case .string(let text)?: return .string(text)
        case .int(let number)?: return .integer(number)
        default: return nil
        }
    }

    /// A `tools/call` request's parameters (the reader already refused one without a name or with non-object
    /// arguments).
    public var toolCall: CallTool.Parameters? {
        guard isRequest, method == CallTool.name, let params, let name = params["name"]?.stringValue else { return nil }
        // Not `Metadata(additionalFields:)`: that initialiser drops a progress token given in the fields.
        let metadata = meta.map { fields in
            var metadata = Metadata()
            metadata.fields = fields
            return metadata
        }
        return CallTool.Parameters(name: name, arguments: params["arguments"]?.objectValue, meta: metadata)
    }

    /// The request a `notifications/cancelled` cancels.
    public var cancelledRequest: ID? {
        guard isNotification, method == CancelledNotification.name else { return nil }
        switch params?["requestId"] {
        case .string(let text)?: return .string(text)
        case .int(let number)?: return .number(number)
        default: return nil
        }
    }

    /// Reads one frame (a stdio line, an HTTP body).
    public static func read(_ frame: Data) -> Reading {
        let top: Top
        do { top = try JSONDecoder().decode(Top.self, from: frame) } catch {
            return .refused(Refusal(id: nil, code: -32700, message: "Parse error: the message is not valid JSON."))
        }
        switch top {
        case .scalar:
            return .refused(Refusal(id: nil, code: -32600, message: "Invalid Request: a JSON-RPC message is a JSON object."))
        case .batch(let items):
            guard !items.isEmpty else { return .refused(Refusal(id: nil, code: -32600, message: "Invalid Request: an empty batch.")) }
            guard items.allSatisfy({ $0.map { $0.problem == nil } ?? false }) else {
                let message = "Invalid Request: every batch item must be a valid JSON-RPC message."
                return .refused(Refusal(id: nil, code: -32600, message: message))
            }
            return .batch
        case .object(let fields):
            if let (code, message) = fields.problem {
                // A notification gets no answer; one with non-object params is ignored (by the SDK).
                if fields.id == nil, code == -32602 { return .message(fields.frame(params: nil)) }
                return .refused(Refusal(id: fields.id?.valid, code: code, message: message))
            }
            return .message(fields.frame(params: fields.params?.objectValue))
        }
    }

    /// The answer to a frame longer than `limit` bytes, which is dropped unread.
    public static func tooLarge(limit: Int) -> Refusal {
        Refusal(id: nil, code: -32600, message: "Invalid Request: the message is larger than \(limit.formattedBytes) and was dropped.")
    }

    static func errorResponse(id: ID?, code: Int, message: String) -> Data {
        struct ErrorBody: Encodable {
            var code: Int
            var message: String
        }
        struct Response: Encodable {
            var jsonrpc = "2.0"
            var id: ID?
            var error: ErrorBody
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(jsonrpc, forKey: .jsonrpc)
                if let id { try container.encode(id, forKey: .id) } else { try container.encodeNil(forKey: .id) }
                try container.encode(error, forKey: .error)
            }
            enum CodingKeys: String, CodingKey { case jsonrpc, id, error }
        }
        return (try? DirectToolCalls.encode(Response(id: id, error: ErrorBody(code: code, message: message)))) ?? Data()
    }
}

extension Int {
    /// 16 MiB, 1 MiB, 512 bytes.
    fileprivate var formattedBytes: String { self >= 1 << 20 && self % (1 << 20) == 0 ? "\(self >> 20) MiB" : "\(self) bytes" }
}

/// The frame as decoded, in one pass: every member is read (so the whole frame is JSON the SDK can read: valid
/// UTF-8, no lone surrogates, no out-of-range numbers), the ones routing needs into their fields.
private enum Top: Decodable {
    case object(Fields), batch([Fields?]), scalar

    init(from decoder: any Decoder) throws {
        if (try? decoder.container(keyedBy: AnyKey.self)) != nil {
            self = .object(try Fields(from: decoder))
        } else if var items = try? decoder.unkeyedContainer() {
            var batch: [Fields?] = []
            while !items.isAtEnd { batch.append(try items.decode(BatchItem.self).fields) }
            self = .batch(batch)
        } else {
            _ = try PlainValue(from: decoder)
            self = .scalar
        }
    }
}

private struct BatchItem: Decodable {
    var fields: Fields?
    init(from decoder: any Decoder) throws {
        if (try? decoder.container(keyedBy: AnyKey.self)) != nil {
            fields = try Fields(from: decoder)
        } else {
            _ = try PlainValue(from: decoder)
        }
    }
}

/// The members of one message.
private struct Fields: Decodable {
    enum IDField {
        case id(ID), invalid
        var valid: ID? { if case .id(let id) = self { id } else { nil } }
    }

    var id: IDField?
    var jsonrpc: String?
    var method: String?
    var methodIsString = true
    var params: Value?
    var isResponse = false

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        for key in container.allKeys {
            switch key.stringValue {
            case "id":
                if let number = try? container.decode(Int.self, forKey: key) {
                    id = .id(.number(number))
                } else if let text = try? container.decode(String.self, forKey: key) {
                    id = .id(.string(text))
                } else {
                    _ = try container.decode(PlainValue.self, forKey: key)
                    id = .invalid
                }
            case "jsonrpc":
                jsonrpc = try container.decode(PlainValue.self, forKey: key).value.stringValue
            case "method":
                method = try container.decode(PlainValue.self, forKey: key).value.stringValue
                methodIsString = method != nil
            case "params":
                params = try container.decode(PlainValue.self, forKey: key).value
            case "result", "error":
                isResponse = true
                _ = try container.decode(PlainValue.self, forKey: key)
            default:
                _ = try container.decode(PlainValue.self, forKey: key)
            }
        }
    }

    /// The JSON-RPC error this message earns, or nil when it is well-formed.
    var problem: (Int, String)? {
        if case .invalid? = id { return (-32600, "Invalid Request: id must be a string or an integer.") }
        guard jsonrpc == "2.0" else { return (-32600, "Invalid Request: jsonrpc must be \"2.0\".") }
        guard methodIsString else { return (-32600, "Invalid Request: method must be a string.") }
        guard let method else {
            return id != nil && isResponse ? nil : (-32600, "Invalid Request: no method.")
        }
        if let params, params.objectValue == nil, params != .null { return (-32602, "Invalid params: params must be an object.") }
        if method == CallTool.name {
            let arguments = params?.objectValue?["arguments"]
            if let arguments, arguments.objectValue == nil, arguments != .null {
                return (-32602, "Invalid params: tools/call arguments must be an object.")
            }
            if params?.objectValue?["name"]?.stringValue == nil { return (-32602, "Invalid params: tools/call needs a tool name.") }
        }
        return nil
    }

    func frame(params: [String: Value]?) -> RPCFrame {
        RPCFrame(id: id?.valid, method: method, params: params, isResponse: isResponse)
    }
}

/// Any JSON value as an MCP `Value`, strings kept as strings.
///
/// Not `Value`'s own decoder: that one builds and compiles a data-URL regex for every string (swift-sdk 0.12.1,
/// about 25 µs a string) and turns `data:` strings into `.data`.
struct PlainValue: Decodable {
    let value: Value

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            value = .null
        } else if let text = try? container.decode(String.self) {
            value = .string(text)
        } else if let number = try? container.decode(Int.self) {
            value = .int(number)
        } else if let number = try? container.decode(Double.self) {
            value = .double(number)
        } else if let flag = try? container.decode(Bool.self) {
            value = .bool(flag)
        } else if let members = try? decoder.container(keyedBy: AnyKey.self) {
            var object: [String: Value] = [:]
            object.reserveCapacity(members.allKeys.count)
            for key in members.allKeys { object[key.stringValue] = try members.decode(PlainValue.self, forKey: key).value }
            value = .object(object)
        } else {
            value = .array(try container.decode([PlainValue].self).map(\.value))
        }
    }

    /// `data` decoded (one pass).
    static func decode(_ data: Data) throws -> Value { try JSONDecoder().decode(PlainValue.self, from: data).value }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
