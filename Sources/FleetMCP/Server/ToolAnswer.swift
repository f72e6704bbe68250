import Fleet
import Foundation
import MCP
import Synchronization

/// A tool's answer, encoded once: a success holds its output as JSON bytes (snake_case, sorted keys), written once
/// by `FleetJSON`'s encoder; a failure holds its message.
///
/// `response(id:)` writes the JSON-RPC response around those bytes: they are the `structuredContent` as they are,
/// and the text content is the same bytes as a JSON string (compact JSON holds no control characters, so only `"`
/// and `\` need escaping). `result` is the SDK's form, for its handlers: the text without re-encoding and the
/// structured content decoded once.
public struct ToolAnswer: Sendable {
    /// The output as JSON, for a success.
    public let json: Data?
    /// The message of a failure.
    public let message: String?
    /// The era's fields of the result (`_meta`, `resultType`), as sorted JSON members; empty for 2025-11-25.
    var extra: [(key: String, json: Data)] = []

    public var isError: Bool { json == nil }

    init(output: any Encodable) throws {
        json = try FleetJSON.encoder().encode(output)
        message = nil
        EncodingCount.current?.encoded()
    }

    init(failure message: String) {
        json = nil
        self.message = message
    }

    /// The SDK's form of the answer.
    public var result: CallTool.Result {
        guard let json else { return CallTool.Result(content: [.text(text: message ?? "", annotations: nil, _meta: nil)], isError: true) }
        EncodingCount.current?.decoded()
        return CallTool.Result(
            content: [.text(text: String(decoding: json, as: UTF8.self), annotations: nil, _meta: nil)],
            structuredContent: Optional.some((try? PlainValue.decode(json)) ?? .null), isError: false)
    }

    /// The JSON-RPC response to request `id`: the SDK's wire form (sorted keys, slashes unescaped), byte for byte.
    public func response(id: ID) -> Data {
        var out = Data()
        out.reserveCapacity((json?.count ?? 0) * 2 + 160)
        out.append(contentsOf: #"{"id":"#.utf8)
        out.append(id.json)
        out.append(contentsOf: #","jsonrpc":"2.0","result":{"#.utf8)
        // Sorted as the SDK's encoder sorts them: `_meta`, content, isError, resultType, structuredContent.
        for member in extra where member.key < "content" { append(member, to: &out) }
        out.append(contentsOf: #""content":[{"text":"#.utf8)
        if let json {
            out.append(UInt8(ascii: "\""))
            JSONText.escapeCompactJSON(json, into: &out)
            out.append(UInt8(ascii: "\""))
        } else {
            out.append(JSONText.quoted(message ?? ""))
        }
        out.append(contentsOf: #","type":"text"}],"isError":"#.utf8)
        out.append(contentsOf: (json == nil ? "true" : "false").utf8)
        for member in extra where member.key > "content" {
            out.append(UInt8(ascii: ","))
            append(member, to: &out)
            out.removeLast()
        }
        if let json {
            out.append(contentsOf: #","structuredContent":"#.utf8)
            out.append(json)
        }
        out.append(contentsOf: "}}".utf8)
        return out
    }

    private func append(_ member: (key: String, json: Data), to out: inout Data) {
        out.append(JSONText.quoted(member.key))
        out.append(UInt8(ascii: ":"))
        out.append(member.json)
        out.append(UInt8(ascii: ","))
    }
}

/// JSON string writing for the response splice.
enum JSONText {
    /// `text` as a JSON string literal, escaped as `JSONEncoder` escapes it.
    static func quoted(_ text: String) -> Data {
        var out = Data([UInt8(ascii: "\"")])
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case 0x0A: out.append(contentsOf: #"\n"#.utf8)
            case 0x0D: out.append(contentsOf: #"\r"#.utf8)
            case 0x09: out.append(contentsOf: #"\t"#.utf8)
            case 0x08: out.append(contentsOf: #"\b"#.utf8)
            case 0x0C: out.append(contentsOf: #"\f"#.utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }

    /// Appends compact JSON (no raw control characters in it) as the inside of a JSON string.
    static func escapeCompactJSON(_ json: Data, into out: inout Data) {
        for byte in json {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
            out.append(byte)
        }
    }
}

/// Counts the JSON passes over tool results made in the current task (tests and benchmarks set one; nil costs
/// nothing): each encoding of a result, and each decoding of one into `Value` for the SDK.
public final class EncodingCount: Sendable {
    @TaskLocal public static var current: EncodingCount?
    private let counts = Mutex((encodings: 0, decodings: 0))

    public init() {}

    public var encodings: Int { counts.withLock { $0.encodings } }
    public var decodings: Int { counts.withLock { $0.decodings } }
    func encoded() { counts.withLock { $0.encodings += 1 } }
    func decoded() { counts.withLock { $0.decodings += 1 } }
}
