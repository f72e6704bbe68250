import FleetMCP
import Foundation
import MCP

/// An HTTP POST's body read as one JSON-RPC frame (`RPCFrame`, the reader stdio uses too), so HTTP frames are
/// screened as stdio lines are: a malformed one is answered here and never reaches the SDK.
enum HTTPFrames {
    /// The frame of `request`'s body, or the answer it gets: a refusal with the request's id is a JSON-RPC error
    /// response (200); one without an id (a parse error, an unreadable id) is 400 with `"id": null`, and so is a
    /// batch (MCP dropped batches in 2025-06-18).
    static func read(_ request: MCPRequest) -> Result<RPCFrame, Refused> {
        switch RPCFrame.read(request.body ?? Data()) {
        case .message(let frame): return .success(frame)
        case .batch:
            return .failure(Refused(.error(statusCode: 400, .invalidRequest("JSON-RPC batches are not supported (MCP 2025-06-18 and later)"))))
        case .refused(let refusal):
            guard refusal.id != nil else { return .failure(Refused(.error(statusCode: 400, refusal.error))) }
            return .failure(Refused(.data(refusal.response, headers: [HTTPHeaderName.contentType: "application/json"])))
        }
    }

    struct Refused: Error {
        let response: MCPResponse
        init(_ response: MCPResponse) { self.response = response }
    }

    /// A `tools/call` answered below the SDK (`DirectToolCalls`): as SSE (its progress, then the answer) when it
    /// carries a progress token and the client accepts an event stream, else as JSON. Nil for any other message.
    static func direct(_ frame: RPCFrame, _ request: MCPRequest, calls: DirectToolCalls) async -> MCPResponse? {
        guard frame.toolCall != nil else { return nil }
        let accepts = (request.header(HTTPHeaderName.accept) ?? "").contains(SSE.contentType)
        // The client going away mid-call ends the stream, which cancels the call.
        if frame.progressToken != nil, accepts, let events = calls.stream(frame, framing: SSE.message) {
            return .stream(events, headers: [HTTPHeaderName.contentType: SSE.contentType, HTTPHeaderName.cacheControl: "no-cache, no-transform"])
        }
        guard let answer = await calls.respond(to: frame) else { return nil }
        return .data(answer, headers: [HTTPHeaderName.contentType: "application/json"])
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
