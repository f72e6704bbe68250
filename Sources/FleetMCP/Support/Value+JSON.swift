import CoderAPI
import Fleet
import Foundation
import MCP

/// Encodes a fleet result as MCP structured content.
///
/// Goes through `JSONValue` rather than decoding `MCP.Value` directly: the SDK's `Value` decoder builds and
/// compiles a data-URL regex for every string (swift-sdk 0.12.1), which costs about 25 µs a string.
func structured(_ value: any Encodable) throws -> Value {
    let data = try FleetJSON.encoder().encode(value)
    return try JSONDecoder().decode(JSONValue.self, from: data).mcpValue
}

extension JSONValue {
    /// The same JSON as an MCP `Value` (integral numbers as `.int`).
    var mcpValue: Value {
        switch self {
        case .null: return .null
        case .bool(let value): return .bool(value)
        case .number(let value):
            return value == value.rounded() && abs(value) < 9_007_199_254_740_992 ? .int(Int(value)) : .double(value)
        case .string(let value): return .string(value)
        case .array(let values): return .array(values.map(\.mcpValue))
        case .object(let members): return .object(members.mapValues(\.mcpValue))
        }
    }
}
