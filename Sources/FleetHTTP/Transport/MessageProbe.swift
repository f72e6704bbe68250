import Foundation
import MCP

/// The few fields of a JSON-RPC message that routing needs: its method, its id, and a progress token (a request's
/// `params._meta.progressToken`, or a progress notification's `params.progressToken`). Read with the SDK's types;
/// the messages themselves are made and parsed by the SDK.
struct MessageProbe: Decodable {
    var method: String?
    var id: ID?
    var progressToken: ProgressToken?

    var isInitialize: Bool { method == Initialize.name }
    var isRequest: Bool { method != nil && id != nil }
    var isProgress: Bool { method == ProgressNotification.name && id == nil }

    /// The probe of `data`, or nil when it is not a single JSON-RPC message.
    static func of(_ data: Data?) -> MessageProbe? {
        guard let data, !data.isEmpty else { return nil }
        return try? JSONDecoder().decode(MessageProbe.self, from: data)
    }

    enum CodingKeys: String, CodingKey { case method, id, params }
    enum ParamsKeys: String, CodingKey { case meta = "_meta", progressToken }
    enum MetaKeys: String, CodingKey { case progressToken }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        method = try? container.decodeIfPresent(String.self, forKey: .method)
        id = try? container.decodeIfPresent(ID.self, forKey: .id)
        guard let params = try? container.nestedContainer(keyedBy: ParamsKeys.self, forKey: .params) else { return }
        if let token = try? params.decodeIfPresent(ProgressToken.self, forKey: .progressToken) {
            progressToken = token
        } else if let meta = try? params.nestedContainer(keyedBy: MetaKeys.self, forKey: .meta) {
            progressToken = try? meta.decodeIfPresent(ProgressToken.self, forKey: .progressToken)
        }
    }
}

/// Server-Sent Events framing of one JSON-RPC message (`event: message`), as the SDK's stateful transport frames its own.
enum SSE {
    static func message(_ json: Data) -> Data {
        var event = Data("event: message\ndata: ".utf8)
        event.append(json)
        event.append(contentsOf: Data("\n\n".utf8))
        return event
    }

    static let contentType = "text/event-stream"
}

/// The SDK's framework-agnostic HTTP types, named apart from HTTPTypes' (which Hummingbird uses).
typealias MCPRequest = MCP.HTTPRequest
typealias MCPResponse = MCP.HTTPResponse
