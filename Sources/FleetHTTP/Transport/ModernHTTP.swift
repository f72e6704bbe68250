import FleetMCP
import Foundation
import HTTPTypes
import Hummingbird
import MCP
import NIOCore

/// MCP 2026-07-28 over Streamable HTTP (`ModernEra`), on the same endpoint as the handshake era, in either mode:
/// a POST whose body speaks 2026-07-28 is answered here, without a session (`--stateful` or not) and without the
/// SDK, so any replica answers any request. Errors carry the HTTP status the spec gives them (400 for a header
/// mismatch or an unsupported version, 404 for an unknown method); a `subscriptions/listen` stream closes at
/// shutdown and holds no concurrency permit, as the handshake era's GET stream.
enum ModernHTTP {
    static func handle(
        _ request: MCPRequest, user: FleetUser, metrics: FleetMetrics, streams: StreamGuard, permit: ConcurrencyLimiter.Permit?
    )
        async -> Response?
    {
        guard request.method.uppercased() == "POST", case .success(let frame) = HTTPFrames.read(request), ModernEra.speaks(frame) else {
            return nil
        }
        let accepts = (request.header(HTTPHeaderName.accept) ?? "").contains(SSE.contentType)
        let modern = user.mcp.directToolCalls(observer: metrics).modern
        switch await modern.reply(to: frame, streams: accepts, headers: request.headers) {
        case .none:
            permit?.release()
            return HTTPBridge.response(.accepted(), streams: streams, closesAtShutdown: false)
        case .message(let data, let status):
            permit?.release()
            var fields = HTTPFields()
            fields[.contentType] = "application/json"
            return Response(status: .init(code: status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        case .stream(let messages):
            let isListen = frame.method == "subscriptions/listen"
            if isListen { permit?.release() }
            let (events, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
            let pump = Task {
                do {
                    for try await message in messages { continuation.yield(SSE.message(message)) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in pump.cancel() }
            let headers = [HTTPHeaderName.contentType: SSE.contentType, HTTPHeaderName.cacheControl: "no-cache, no-transform"]
            return HTTPBridge.response(.stream(events, headers: headers), streams: streams, closesAtShutdown: isListen) {
                if !isListen { permit?.release() }
            }
        }
    }
}
