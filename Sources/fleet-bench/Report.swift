import Foundation

struct ToolResult: Codable {
    var tool: String
    /// Calls made (fewer than asked when one call took over 10 s).
    var calls: Int
    var p50Ms: Double
    var p95Ms: Double
    var maxMs: Double
    var requestsPerCall: Double
    var bytesPerCall: Int
    /// The first error texts, when calls failed.
    var errors: [String]
    /// With `--sdk-cost`: what the MCP SDK adds to the result on the server.
    var sdk: SDKCost.Figures? = nil
}

struct ServerResult: Codable {
    var server: String
    var coldStartInitializeMs: Double
    var coldStartToolsListMs: Double
    var peakRSSMiB: Double?
    var tools: [ToolResult]
}

struct CaseResult: Codable {
    var benchCase: BenchCase
    var servers: [ServerResult]
}

struct Report: Codable {
    var machine: String
    var repetitions: Int
    var results: [CaseResult]

    func markdown() -> String {
        var out = "Machine: \(machine). \(repetitions) calls per tool; sandbox emulating Coder v2.27 on loopback.\n"
        for result in results {
            out += "\n### \(result.benchCase.label)\n\n"
            let fleet = result.servers.first { $0.server == "fleet-mcp" }
            let reference = result.servers.first { $0.server == "reference" }
            out += "| tool | fleet-mcp p50 / p95 / max ms | requests/call | bytes | reference p50 ms | requests/call | p50 ratio |\n"
            out += "|---|---|---|---|---|---|---|\n"
            for tool in fleet?.tools ?? [] {
                let other = reference?.tools.first { $0.tool == tool.tool }
                var row = "| \(tool.tool) | \(f(tool.p50Ms)) / \(f(tool.p95Ms)) / \(f(tool.maxMs))" + (tool.errors.isEmpty ? "" : " (errors)")
                row += " | \(f(tool.requestsPerCall, 1)) | \(tool.bytesPerCall)"
                if let other {
                    let failed = !other.errors.isEmpty
                    row += " | \(f(other.p50Ms))\(other.calls < tool.calls ? " (\(other.calls) call\(other.calls == 1 ? "" : "s"))" : "")"
                    row += "\(failed ? " (fails: \(other.errors[0].prefix(60))…)" : "") | \(f(other.requestsPerCall, 1))"
                    row += " | \(failed ? "–" : f(other.p50Ms / max(tool.p50Ms, 0.001), 1) + "×") |"
                } else {
                    row += " | – | – | – |"
                }
                out += row + "\n"
            }
            if let tools = fleet?.tools, tools.contains(where: { $0.sdk != nil }) {
                out += "\nWhat the MCP SDK 0.12.1's re-encode + `Value` re-decode would add to each fleet-mcp result (server side, per "
                out += "call): stdio and Streamable HTTP (stateless, SSE and sessions) no longer pay it (`DirectToolCalls`):\n\n"
                out += "| tool | strings in the result | SDK ms | as a share of the stdio p50 |\n|---|---|---|---|\n"
                for tool in tools {
                    if let sdk = tool.sdk {
                        out +=
                            "| \(tool.tool) | \(sdk.strings) | \(f(sdk.redecodeMs, 2)) | \(f(100 * sdk.redecodeMs / max(tool.p50Ms, 0.001), 0)) % |\n"
                    }
                }
            }
            for server in result.servers {
                out +=
                    "\n\(server.server): cold start \(f(server.coldStartInitializeMs)) ms to `initialize`, \(f(server.coldStartToolsListMs)) ms to `tools/list`"
                out += server.peakRSSMiB.map { ", peak RSS \(f($0, 1)) MiB" } ?? ""
            }
            out += "\n"
        }
        return out
    }

    func f(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }
}
