import Fleet
import Foundation
import MCP

/// 2026-07-28 Streamable HTTP: `Mcp-Method`, `Mcp-Name` and `MCP-Protocol-Version` mirror the body, and a server
/// that reads the body rejects a request whose headers say otherwise (-32020, `HeaderMismatch`), so a proxy routing
/// on the headers and this server acting on the body never disagree.
enum HeaderCheck {
    /// What does not match, or nil.
    static func mismatch(_ frame: RPCFrame, headers: [String: String]) -> String? {
        func header(_ name: String) -> String? { headers.first { $0.key.lowercased() == name }?.value }
        guard let method = header("mcp-method") else { return "Mcp-Method is required." }
        guard method == frame.method else { return "Mcp-Method \(Echo.cap(method, 40)) does not match the body's method." }
        let version = frame.meta?[ModernEra.versionKey]?.stringValue
        if let stated = header("mcp-protocol-version"), stated != version {
            return "MCP-Protocol-Version \(Echo.cap(stated, 40)) does not match _meta's \(ModernEra.versionKey)."
        }
        let named: String?
        switch frame.method {
        case CallTool.name: named = frame.params?["name"]?.stringValue
        case ReadResource.name: named = frame.params?["uri"]?.stringValue
        default: return nil
        }
        guard let raw = header("mcp-name") else { return named == nil ? nil : "Mcp-Name is required for \(frame.method ?? "")." }
        guard decoded(raw) == named else { return "Mcp-Name does not match the body." }
        return nil
    }

    /// A header value, Base64-decoded when it uses the sentinel form `=?base64?…?=`.
    static func decoded(_ value: String) -> String? {
        guard value.hasPrefix("=?base64?"), value.hasSuffix("?="), value.count >= 11 else { return value }
        let inner = value.dropFirst(9).dropLast(2)
        return Data(base64Encoded: String(inner)).flatMap { String(data: $0, encoding: .utf8) }
    }
}
