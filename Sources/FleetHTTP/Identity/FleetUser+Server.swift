import FleetMCP
import MCP

extension FleetUser {
    /// An SDK `Server` with this user's tools, whose tool calls are measured (by tool and outcome, with latency and
    /// the number in flight).
    func makeServer(metrics: FleetMetrics) async -> Server {
        await mcp.makeServer(observer: metrics)
    }
}
