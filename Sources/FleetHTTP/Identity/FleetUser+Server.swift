import FleetMCP
import Foundation
import MCP

extension FleetUser {
    /// An SDK `Server` with this user's tools, whose tool calls are measured (by tool and outcome, with latency
    /// and the number in flight) and whose progress goes to the caller.
    ///
    /// The call handler is `FleetMCPServer.makeServer()`'s, re-registered around the same `call(_:arguments:context:)`.
    func makeServer(metrics: FleetMetrics) async -> Server {
        let server = await mcp.makeServer()
        let box = ServerBox(server)
        let mcp = self.mcp
        let known = Set(mcp.tools.map(\.name))
        await server.withMethodHandler(CallTool.self) { params in
            let token = params._meta?.progressToken
            let context = ToolContext { progress, total, message in
                guard let token, let server = box.server else { return }
                let notification = ProgressNotification.message(.init(progressToken: token, progress: progress, total: total, message: message))
                try? await server.notify(notification)
            }
            // Only offered tool names become labels; anything else a client sends is `unknown`.
            let label = known.contains(params.name) ? params.name : "unknown"
            metrics.toolCallStarted()
            let started = ContinuousClock.now
            do {
                let result = try await mcp.call(params.name, arguments: params.arguments, context: context)
                metrics.toolCallFinished(tool: label, outcome: result.isError == true ? .toolError : .ok, duration: ContinuousClock.now - started)
                return result
            } catch is CancellationError {
                metrics.toolCallFinished(tool: label, outcome: .cancelled, duration: ContinuousClock.now - started)
                throw CancellationError()
            } catch {
                metrics.toolCallFinished(tool: label, outcome: .protocolError, duration: ContinuousClock.now - started)
                throw error
            }
        }
        return server
    }
}

/// Lets a tool handler reach its server without keeping it alive.
final class ServerBox: @unchecked Sendable {
    weak var server: Server?
    init(_ server: Server) { self.server = server }
}
